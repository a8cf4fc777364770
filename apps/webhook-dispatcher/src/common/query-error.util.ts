import { RpcException } from '@nestjs/microservices';
import { QueryErrorBody } from '@minoots/contracts';

/** An error the gateway answers with this HTTP status, code and message. */
export function queryError(status: number, code: string, message: string): RpcException {
  return new RpcException({ status, code, message } satisfies QueryErrorBody);
}
