import { createHmac } from 'node:crypto';
import { buildDeliveryHeaders, DELIVERY_USER_AGENT, DeliveryHeaderInput } from './delivery-headers.builder';

const BODY = JSON.stringify({ event: 'timer_expired', timer: { id: 'timer_1', name: 'Café ☕' }, timestamp: '2026-01-01T00:00:00.000Z' });
const PLAIN_SECRET = 'tenant-secret-current';
const WHSEC_BYTES = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
const WHSEC_SECRET = `whsec_${WHSEC_BYTES.toString('base64')}`;
const NOW = new Date(1_767_225_600_999); // 2026-01-01T00:00:00.999Z: the timestamp must round down

function input(overrides: Partial<DeliveryHeaderInput> = {}): DeliveryHeaderInput {
  return {
    deliveryId: 'dlv_01JABCDEF',
    webhookId: 'wh_42',
    eventType: 'timer.expired',
    attempt: 3,
    body: BODY,
    secrets: [PLAIN_SECRET],
    now: NOW,
    ...overrides,
  };
}

function standardSignature(key: Buffer | string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}

describe('buildDeliveryHeaders', () => {
  it('sets exactly the documented headers, all lower-case with string values', () => {
    const headers = buildDeliveryHeaders(input());
    expect(Object.keys(headers).sort()).toEqual(
      [
        'content-type',
        'user-agent',
        'x-minoots-signature',
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
        'x-delivery-id',
        'x-webhook-id',
        'x-event-type',
        'x-minoots-attempt',
      ].sort(),
    );
    for (const value of Object.values(headers)) expect(typeof value).toBe('string');
  });

  it('fills the plain headers from the input', () => {
    const headers = buildDeliveryHeaders(input());
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': DELIVERY_USER_AGENT,
      'webhook-id': 'dlv_01JABCDEF',
      'x-delivery-id': 'dlv_01JABCDEF',
      'x-webhook-id': 'wh_42',
      'x-event-type': 'timer.expired',
      'x-minoots-attempt': '3',
    });
    expect(headers['user-agent']).toMatch(/^MINOOTS-Webhooks\//);
  });

  it('uses whole seconds, rounded down, for webhook-timestamp', () => {
    expect(buildDeliveryHeaders(input())['webhook-timestamp']).toBe('1767225600');
  });

  it('defaults the timestamp to the current time', () => {
    jest.useFakeTimers({ now: Date.parse('2030-06-01T12:00:00.500Z') });
    try {
      const headers = buildDeliveryHeaders(input({ now: undefined }));
      expect(headers['webhook-timestamp']).toBe(String(Date.parse('2030-06-01T12:00:00Z') / 1000));
    } finally {
      jest.useRealTimers();
    }
  });

  it('signs the body as sha256=<hex HMAC> with the current secret, as a receiver would check it', () => {
    const headers = buildDeliveryHeaders(input());
    const expected = createHmac('sha256', Buffer.from(PLAIN_SECRET, 'utf8')).update(Buffer.from(BODY, 'utf8')).digest('hex');
    expect(headers['x-minoots-signature']).toBe(`sha256=${expected}`);
    expect(headers['x-minoots-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('signs id.timestamp.body for webhook-signature with the same id and timestamp it sends', () => {
    const headers = buildDeliveryHeaders(input());
    expect(headers['webhook-signature']).toBe(
      standardSignature(PLAIN_SECRET, headers['webhook-id'], Number(headers['webhook-timestamp']), BODY),
    );
  });

  it('during a rotation: one v1 entry per secret in order, and x-minoots-signature from the first secret only', () => {
    const previous = 'tenant-secret-previous';
    const headers = buildDeliveryHeaders(input({ secrets: [WHSEC_SECRET, previous] }));

    const entries = headers['webhook-signature'].split(' ');
    expect(entries).toHaveLength(2);
    for (const entry of entries) expect(entry).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
    const ts = Number(headers['webhook-timestamp']);
    // A whsec_ secret is keyed by its base64-decoded bytes, a plain one by its UTF-8 bytes.
    expect(entries[0]).toBe(standardSignature(WHSEC_BYTES, 'dlv_01JABCDEF', ts, BODY));
    expect(entries[1]).toBe(standardSignature(previous, 'dlv_01JABCDEF', ts, BODY));

    expect(headers['x-minoots-signature']).toBe(`sha256=${createHmac('sha256', WHSEC_SECRET).update(BODY).digest('hex')}`);
    expect(headers['x-minoots-signature']).not.toBe(`sha256=${createHmac('sha256', previous).update(BODY).digest('hex')}`);
  });

  it('changes both signatures when the body changes by one byte', () => {
    const a = buildDeliveryHeaders(input());
    const b = buildDeliveryHeaders(input({ body: `${BODY} ` }));
    expect(b['x-minoots-signature']).not.toBe(a['x-minoots-signature']);
    expect(b['webhook-signature']).not.toBe(a['webhook-signature']);
  });

  it('refuses to build headers without any secret', () => {
    expect(() => buildDeliveryHeaders(input({ secrets: [] }))).toThrow(TypeError);
  });
});
