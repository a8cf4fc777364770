import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyAuthenticator, extractApiKey } from './api-key-authenticator.service';
import { ApiKeyOwner } from './api-keys.repository';
import { KeyRateLimiter } from './key-rate-limiter.service';

const PUBLIC_ROUTE = Symbol('PUBLIC_ROUTE');

/** Marks a route that needs no API key (health, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

type AuthenticatedRequest = FastifyRequest & { owner?: ApiKeyOwner };

/** The tenant the request's API key belongs to. */
export const Tenant = createParamDecorator((_: unknown, context: ExecutionContext): ApiKeyOwner => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().owner!;
});

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly rateLimiter: KeyRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.owner = await this.authenticator.authenticate(extractApiKey(request.headers));
    const headers = await this.rateLimiter.consume(request.owner.keyId);
    void context.switchToHttp().getResponse<FastifyReply>().headers(headers);
    return true;
  }
}
