import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { ApiError } from './api-error';

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message: string;
}

/** Every failure leaves as `{"error": {"code", "message"}}`; internals never leak into a 500. */
export function toErrorBody(exception: unknown): { status: number; code: string; message: string; headers: Record<string, string> } {
  if (exception instanceof ApiError) {
    return { status: exception.status, code: exception.code, message: exception.message, headers: exception.headers };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message =
      status === 413
        ? 'Request body is larger than 256 KB.'
        : typeof response === 'string'
          ? response
          : String((response as { message?: unknown }).message ?? exception.message);
    return { status, code: STATUS_CODES[status] ?? 'ERROR', message, headers: {} };
  }
  const fastifyError = exception as FastifyLikeError;
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode;
    const message = status === 413 ? 'Request body is larger than 256 KB.' : fastifyError.message;
    return { status, code: fastifyError.code?.startsWith('FST_') ? (STATUS_CODES[status] ?? 'BAD_REQUEST') : (fastifyError.code ?? 'BAD_REQUEST'), message, headers: {} };
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; it has been logged.', headers: {} };
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = toErrorBody(exception);
    if (body.status >= 500) this.logger.error((exception as Error)?.stack ?? String(exception));
    void reply.status(body.status).headers(body.headers).send({ error: { code: body.code, message: body.message } });
  }
}
