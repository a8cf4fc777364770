import { Readable } from 'node:stream';
import Fastify, { FastifyInstance } from 'fastify';
import { toErrorBody } from './api-exception.filter';
import { MAX_BODY_BYTES, registerJsonBodyParser } from './json-body.parser';

/** A JSON document of exactly `bytes` bytes: {"pad":"xxx…"}. */
function jsonOfSize(bytes: number): string {
  const overhead = '{"pad":""}'.length;
  return `{"pad":"${'x'.repeat(bytes - overhead)}"}`;
}

describe('registerJsonBodyParser', () => {
  let app: FastifyInstance;

  beforeEach(async () => {
    // Fastify's own default limit (1 MiB) is left in place so the 256 KB limit under test is the
    // parser's. Errors leave through toErrorBody, as Nest's exception filter does in the gateway.
    app = Fastify();
    registerJsonBodyParser(app);
    app.setErrorHandler((error, _request, reply) => {
      const body = toErrorBody(error);
      void reply.status(body.status).send({ error: { code: body.code, message: body.message } });
    });
    const echo = async (request: { body: unknown; headers: Record<string, unknown> }) => ({
      type: request.body === undefined ? 'undefined' : typeof request.body,
      body: request.body,
      contentType: request.headers['content-type'] ?? null,
    });
    app.post('/echo', echo);
    app.delete('/echo', echo);
    await app.ready();
  });

  afterEach(async () => {
    await app.close();
  });

  it.each([
    ['application/json'],
    ['application/json; charset=utf-8'],
    ['text/plain;charset=UTF-8'],
    ['application/x-www-form-urlencoded'],
    ['application/octet-stream'],
  ])('parses a JSON body sent as %s', async (contentType) => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': contentType },
      payload: '{"name":"Build","duration":"30s","events":{"on_expire":{"webhook":"https://example.com"}}}',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      type: 'object',
      body: { name: 'Build', duration: '30s', events: { on_expire: { webhook: 'https://example.com' } } },
      contentType,
    });
  });

  it('parses a JSON body sent without a content type', async () => {
    const response = await app.inject({ method: 'POST', url: '/echo', payload: '{"a":1}' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ type: 'object', body: { a: 1 }, contentType: null });
  });

  it.each([
    ['fetch (text/plain)', 'text/plain;charset=UTF-8'],
    ['curl -d (form-encoded)', 'application/x-www-form-urlencoded'],
  ])('parses a DELETE body from %s', async (_client, contentType) => {
    const response = await app.inject({
      method: 'DELETE',
      url: '/echo',
      headers: { 'content-type': contentType },
      payload: '{"reason":"user aborted"}',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().body).toEqual({ reason: 'user aborted' });
  });

  it('decodes UTF-8 correctly', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: Buffer.from('{"name":"Zürich ⏰ 東京"}', 'utf8'),
    });
    expect(response.json().body).toEqual({ name: 'Zürich ⏰ 東京' });
  });

  it('decodes multi-byte characters split across chunks', async () => {
    const bytes = Buffer.from('{"name":"⏰⏰⏰"}', 'utf8');
    const chunks = Array.from(bytes, (byte) => Buffer.from([byte]));
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json', 'content-length': String(bytes.length) },
      payload: Readable.from(chunks),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().body).toEqual({ name: '⏰⏰⏰' });
  });

  it.each([
    ['no body and no content type', undefined, undefined],
    ['an empty JSON body', 'application/json', ''],
    ['an empty text/plain body', 'text/plain;charset=UTF-8', ''],
    ['a whitespace-only body', 'application/json', ' \n\t '],
  ])('leaves the body undefined for %s', async (_label, contentType, payload) => {
    for (const method of ['POST', 'DELETE'] as const) {
      const response = await app.inject({
        method,
        url: '/echo',
        headers: contentType ? { 'content-type': contentType } : {},
        ...(payload === undefined ? {} : { payload }),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().type).toBe('undefined');
    }
  });

  it.each([['{"a":'], ['{a:1}'], ["{'a':1}"], ['name=Build&duration=30s'], ['{"a":1}garbage'], ['undefined']])(
    'answers 400 INVALID_JSON for %p',
    async (payload) => {
      const response = await app.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: { code: 'INVALID_JSON', message: 'Request body is not valid JSON.' } });
    },
  );

  it.each([['{"__proto__": {"isAdmin": true}}'], ['{"metadata": {"constructor": {"prototype": {"isAdmin": true}}}}']])(
    'refuses prototype-poisoning keys: %p',
    async (payload) => {
      const response = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('INVALID_JSON');
    },
  );

  it('reports INVALID_JSON even with Fastify’s default error handler', async () => {
    const plain = Fastify();
    registerJsonBodyParser(plain);
    plain.post('/echo', async (request) => request.body);
    try {
      const response = await plain.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/plain' }, payload: '{' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'INVALID_JSON' });
    } finally {
      await plain.close();
    }
  });

  it('accepts a body of exactly 256 KB', async () => {
    const payload = jsonOfSize(MAX_BODY_BYTES);
    expect(Buffer.byteLength(payload)).toBe(256 * 1024);
    const response = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(200);
    expect(response.json().body.pad).toHaveLength(MAX_BODY_BYTES - '{"pad":""}'.length);
  });

  it.each([['application/json'], ['text/plain'], [undefined]])('answers 413 for a body one byte over 256 KB (%s)', async (contentType) => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: contentType ? { 'content-type': contentType } : {},
      payload: jsonOfSize(MAX_BODY_BYTES + 1),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(response.json().error.message).toMatch(/256 KB/);
  });

  it('parses a chunked body that declares no length', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      payload: Readable.from(['{"a":', '[1,2', ',3]}']),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().body).toEqual({ a: [1, 2, 3] });
  });

  it('answers 413 for an oversized chunked body that declares no length', async () => {
    const payload = jsonOfSize(MAX_BODY_BYTES + 1);
    const chunks = Array.from({ length: Math.ceil(payload.length / 16_384) }, (_, i) => payload.slice(i * 16_384, (i + 1) * 16_384));
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      payload: Readable.from(chunks),
    });
    expect(response.statusCode).toBe(413);
  });

  it('counts the limit in bytes, not characters', async () => {
    // 100 K three-byte characters: 100 K characters but ~300 KB on the wire.
    const payload = `{"pad":"${'⏰'.repeat(100_000)}"}`;
    expect(payload.length).toBeLessThan(MAX_BODY_BYTES);
    const response = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(413);
  });
});
