import { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';

export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Parses every request body as JSON whatever its Content-Type: the seeds' clients send DELETE
 * bodies as text/plain (fetch) or form-encoded (curl -d), and they must work unchanged.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      // Refuses __proto__ / constructor.prototype keys, as Fastify's own JSON parser does.
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(Object.assign(new Error('Request body is not valid JSON.'), { statusCode: 400, code: 'INVALID_JSON' }), undefined);
    }
  });
}
