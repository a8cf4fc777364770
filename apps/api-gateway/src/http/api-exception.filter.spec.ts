import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  ImATeapotException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiError } from './api-error';
import { toErrorBody } from './api-exception.filter';

describe('toErrorBody', () => {
  it('keeps an ApiError as it is, headers included', () => {
    const error = new ApiError(429, 'RATE_LIMITED', 'Slow down.', { 'retry-after': '3' });
    expect(toErrorBody(error)).toEqual({ status: 429, code: 'RATE_LIMITED', message: 'Slow down.', headers: { 'retry-after': '3' } });
  });

  it('gives an ApiError without headers an empty header map', () => {
    expect(toErrorBody(new ApiError(404, 'TIMER_NOT_FOUND', 'No timer timer_x')).headers).toEqual({});
  });

  describe('Nest HttpExceptions', () => {
    it.each([
      [new NotFoundException(), 404, 'NOT_FOUND', 'Not Found'],
      [new NotFoundException('Cannot GET /nope'), 404, 'NOT_FOUND', 'Cannot GET /nope'],
      [new UnauthorizedException(), 401, 'UNAUTHORIZED', 'Unauthorized'],
      [new ForbiddenException('no'), 403, 'FORBIDDEN', 'no'],
      [new ConflictException('taken'), 409, 'CONFLICT', 'taken'],
      [new BadRequestException('bad'), 400, 'BAD_REQUEST', 'bad'],
      [new ServiceUnavailableException(), 503, 'SERVICE_UNAVAILABLE', 'Service Unavailable'],
      [new HttpException('plain string response', 405), 405, 'METHOD_NOT_ALLOWED', 'plain string response'],
    ])('maps %p to %p %p', (exception, status, code, message) => {
      expect(toErrorBody(exception)).toEqual({ status, code, message, headers: {} });
    });

    it('says how large a body may be on 413', () => {
      const body = toErrorBody(new PayloadTooLargeException());
      expect(body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(body.message).toMatch(/256 KB/);
    });

    it('answers ERROR for a status without a named code', () => {
      expect(toErrorBody(new ImATeapotException())).toMatchObject({ status: 418, code: 'ERROR' });
    });

    it('gives a readable message for an object response', () => {
      expect(toErrorBody(new HttpException({ message: 'custom' }, 409)).message).toBe('custom');
    });
  });

  describe('Fastify errors', () => {
    it('keeps a custom code such as INVALID_JSON', () => {
      const error = Object.assign(new Error('Request body is not valid JSON.'), { statusCode: 400, code: 'INVALID_JSON' });
      expect(toErrorBody(error)).toEqual({ status: 400, code: 'INVALID_JSON', message: 'Request body is not valid JSON.', headers: {} });
    });

    it('keeps the code of a plain Fastify-like object', () => {
      expect(toErrorBody({ statusCode: 400, code: 'INVALID_JSON', message: 'bad json' })).toMatchObject({ status: 400, code: 'INVALID_JSON' });
    });

    it('turns FST_ERR_CTP_BODY_TOO_LARGE into PAYLOAD_TOO_LARGE mentioning the limit', () => {
      const body = toErrorBody({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'Request body is too large' });
      expect(body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(body.message).toMatch(/256 KB/);
    });

    it.each([
      [415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 'UNSUPPORTED_MEDIA_TYPE'],
      [400, 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'BAD_REQUEST'],
      [431, 'FST_ERR_SOMETHING', 'BAD_REQUEST'],
    ])('never exposes an internal FST_ code (%p %p → %p)', (statusCode, code, expected) => {
      expect(toErrorBody({ statusCode, code, message: 'm' })).toMatchObject({ status: statusCode, code: expected });
    });

    it('answers BAD_REQUEST for a 4xx error without a code', () => {
      expect(toErrorBody({ statusCode: 400, message: 'm' })).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: 'm' });
    });

    it('treats a 5xx Fastify-like error as internal and hides its message', () => {
      const body = toErrorBody({ statusCode: 502, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.5:5432' });
      expect(body).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
      expect(body.message).not.toContain('10.0.0.5');
    });
  });

  describe('anything else', () => {
    it('answers 500 INTERNAL_ERROR without leaking the original message', () => {
      const body = toErrorBody(new Error('password authentication failed for user "minoots"'));
      expect(body.status).toBe(500);
      expect(body.code).toBe('INTERNAL_ERROR');
      expect(body.message).not.toMatch(/password|minoots/);
      expect(body.message.length).toBeGreaterThan(0);
      expect(body.headers).toEqual({});
    });

    it.each([[undefined], [null], ['a string'], [42], [{}]])('copes with the non-Error %p', (thrown) => {
      expect(toErrorBody(thrown)).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    });
  });
});
