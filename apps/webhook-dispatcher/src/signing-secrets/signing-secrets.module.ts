import { Module } from '@nestjs/common';
import { SigningSecretsRepository } from './signing-secrets.repository';
import { SigningSecretsService } from './signing-secrets.service';
import { SigningSecretsController } from './signing-secrets.controller';

@Module({
  controllers: [SigningSecretsController],
  providers: [SigningSecretsRepository, SigningSecretsService],
  exports: [SigningSecretsService],
})
export class SigningSecretsModule {}
