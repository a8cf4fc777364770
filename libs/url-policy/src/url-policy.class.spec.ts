import type { LookupAddress } from 'node:dns';
import { AddressInfo, createServer, connect, LookupFunction, Server } from 'node:net';
import { InvalidCidrError } from './invalid-cidr.error';
import { UrlPolicy } from './url-policy.class';
import { UrlPolicyError } from './url-policy.error';
import { LookupAll } from './url-policy.types';

const LOOPBACK_ALLOWED = ['127.0.0.0/8', '::1/128'];

describe('UrlPolicy', () => {
  const policy = new UrlPolicy({ allowedCidrs: [] });

  describe('constructor', () => {
    it('defaults to an empty allow-list', () => {
      expect(new UrlPolicy().checkAddress('127.0.0.1').ok).toBe(false);
    });

    it.each([['10.0.0.0/33'], ['nope'], ['0177.0.0.1/8'], ['']])('throws naming the bad CIDR %p', (entry) => {
      expect(() => new UrlPolicy({ allowedCidrs: ['127.0.0.0/8', entry] })).toThrow(InvalidCidrError);
      expect(() => new UrlPolicy({ allowedCidrs: ['127.0.0.0/8', entry] })).toThrow(JSON.stringify(entry));
    });
  });

  describe('checkAddress', () => {
    it.each([
      ['93.184.216.34'],
      ['8.8.8.8'],
      ['1.1.1.1'],
      ['2606:2800:220:1::'],
      ['2001:4860:4860::8888'],
      ['::ffff:93.184.216.34'],
    ])('allows the public address %p', (ip) => {
      expect(policy.checkAddress(ip)).toEqual({ ok: true });
    });

    it.each([
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['::', 'unspecified'],
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['::1', 'loopback'],
      ['10.0.0.1', 'private'],
      ['10.255.255.255', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.0.1', 'private'],
      ['fc00::1', 'unique local (private)'],
      ['fd12:3456:789a::1', 'unique local (private)'],
      ['169.254.0.1', 'link-local'],
      ['169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['febf:ffff::1', 'link-local'],
      ['100.64.0.1', 'carrier-grade NAT'],
      ['100.127.255.255', 'carrier-grade NAT'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['240.0.0.1', 'reserved'],
      ['192.0.0.1', 'reserved'],
      ['192.0.0.170', 'reserved'],
      ['198.18.0.1', 'reserved'],
      ['198.19.255.255', 'reserved'],
      ['192.0.2.1', 'reserved'],
      ['2001:db8::1', 'reserved'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
      ['::ffff:10.0.0.1', 'private'],
      ['::ffff:169.254.169.254', 'link-local'],
      ['::ffff:0.0.0.0', 'unspecified'],
      ['::ffff:100.64.0.1', 'carrier-grade NAT'],
      ['::ffff:198.18.0.1', 'reserved'],
      ['::127.0.0.1', 'non-global'],
      ['::7f00:1', 'non-global'],
      ['::8.8.8.8', 'non-global'],
      ['::ffff:0:7f00:1', 'special-purpose (rfc6145)'],
      ['64:ff9b::7f00:1', 'special-purpose (rfc6052)'],
      ['2002:7f00:1::', 'special-purpose (6to4)'],
    ])('refuses %p as %s', (ip, label) => {
      const result = policy.checkAddress(ip);
      expect(result).toEqual({ ok: false, reason: `address ${ip} is ${label} and not in the allow-list` });
    });

    it.each([
      ['172.15.255.255'],
      ['172.32.0.0'],
      ['192.167.255.255'],
      ['100.63.255.255'],
      ['100.128.0.0'],
      ['169.253.255.255'],
      ['198.17.255.255'],
      ['198.20.0.0'],
      ['11.0.0.0'],
    ])('allows %p just outside a blocked range', (ip) => {
      expect(policy.checkAddress(ip).ok).toBe(true);
    });

    it.each([
      ['0177.0.0.1', 'octal'],
      ['0x7f.0.0.1', 'hex'],
      ['0x7f000001', 'hex integer'],
      ['2130706433', 'integer'],
      ['127.1', 'short form'],
      ['[::1]', 'bracketed'],
      ['localhost', 'hostname'],
      ['example.com', 'hostname'],
      ['', 'empty'],
      [' 8.8.8.8', 'leading space'],
      ['8.8.8.8/32', 'CIDR'],
      ['256.1.1.1', 'out-of-range octet'],
    ])('refuses the non-canonical or non-IP input %p (%s)', (ip) => {
      const result = policy.checkAddress(ip);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(/is not an IP address/);
    });

    it.each([[undefined], [null], [2130706433]])('refuses the non-string %p', (ip) => {
      expect(policy.checkAddress(ip as unknown as string).ok).toBe(false);
    });

    describe('with an allow-list', () => {
      const open = new UrlPolicy({ allowedCidrs: LOOPBACK_ALLOWED });

      it.each([['127.0.0.1'], ['127.5.6.7'], ['::1'], ['::ffff:127.0.0.1']])('allows the listed address %p', (ip) => {
        expect(open.checkAddress(ip)).toEqual({ ok: true });
      });

      it.each([['10.0.0.1'], ['169.254.169.254'], ['::2'], ['fe80::1'], ['0.0.0.0']])(
        'still refuses the unlisted address %p',
        (ip) => {
          expect(open.checkAddress(ip).ok).toBe(false);
        },
      );

      it('matches an IPv4 address against an IPv4-mapped IPv6 CIDR and vice versa', () => {
        const mapped = new UrlPolicy({ allowedCidrs: ['::ffff:10.0.0.0/104'] });
        expect(mapped.checkAddress('10.1.2.3').ok).toBe(true);
        expect(mapped.checkAddress('::ffff:10.1.2.3').ok).toBe(true);
        expect(mapped.checkAddress('11.1.2.3').ok).toBe(true);
        expect(mapped.checkAddress('172.16.0.1').ok).toBe(false);
      });

      it('allows a single host given without a prefix', () => {
        const single = new UrlPolicy({ allowedCidrs: ['10.0.0.5'] });
        expect(single.checkAddress('10.0.0.5').ok).toBe(true);
        expect(single.checkAddress('10.0.0.6').ok).toBe(false);
      });

      it('honours the prefix length exactly', () => {
        const narrow = new UrlPolicy({ allowedCidrs: ['192.168.1.0/24', 'fd00:1::/32'] });
        expect(narrow.checkAddress('192.168.1.255').ok).toBe(true);
        expect(narrow.checkAddress('192.168.2.0').ok).toBe(false);
        expect(narrow.checkAddress('fd00:1:ffff::1').ok).toBe(true);
        expect(narrow.checkAddress('fd00:2::1').ok).toBe(false);
      });
    });
  });

  describe('checkUrl', () => {
    const refusal = (raw: string, p = policy) => {
      const result = p.checkUrl(raw);
      if (result.ok) throw new Error(`expected ${raw} to be refused`);
      return result.reason;
    };

    it.each([
      ['https://example.com/webhooks'],
      ['http://example.com:8080/hook?x=1#frag'],
      ['https://93.184.216.34/hook'],
      ['https://[2606:2800:220:1::]/hook'],
      ['https://[::ffff:93.184.216.34]/hook'],
      ['https://sub.domain.example/hook'],
      ['HTTPS://EXAMPLE.COM/hook'],
      ['https://localhost.example.com/hook'],
      ['https://mylocalhost/hook'],
    ])('accepts %p', (raw) => {
      const result = policy.checkUrl(raw);
      expect(result.ok).toBe(true);
      expect(result.ok && result.url).toBeInstanceOf(URL);
      expect(result.ok && result.url.href).toBe(new URL(raw).href);
    });

    it.each([
      ['file:///etc/passwd', 'file:'],
      ['ftp://example.com/x', 'ftp:'],
      ['javascript:alert(1)', 'javascript:'],
      ['data:text/plain,hi', 'data:'],
      ['gopher://example.com/', 'gopher:'],
      ['ws://example.com/', 'ws:'],
      ['mailto:a@example.com', 'mailto:'],
    ])('refuses the scheme of %p', (raw, protocol) => {
      expect(refusal(raw)).toBe(`URL scheme "${protocol}" is not allowed; use http: or https:`);
    });

    it.each([['https://user:pass@example.com/'], ['https://user@example.com/'], ['https://:pass@example.com/']])(
      'refuses credentials in %p',
      (raw) => {
        expect(refusal(raw)).toMatch(/credentials/);
      },
    );

    it.each([
      [''],
      ['not a url'],
      ['example.com/hook'],
      ['//example.com/hook'],
      ['http://'],
      ['https://exa mple.com/'],
      ['http://[::1/'],
    ])('refuses the malformed URL %p', (raw) => {
      expect(refusal(raw)).toMatch(/^URL (is not valid|is required)$/);
    });

    it.each([[undefined], [null], [42]])('refuses the non-string %p', (raw) => {
      expect(refusal(raw as unknown as string)).toBe('URL is required');
    });

    it('refuses URLs longer than 2048 characters', () => {
      const prefix = 'https://example.com/';
      expect(policy.checkUrl(prefix + 'a'.repeat(2048 - prefix.length)).ok).toBe(true);
      expect(refusal(prefix + 'a'.repeat(2049 - prefix.length))).toMatch(/longer than 2048/);
    });

    it.each([
      ['http://127.0.0.1/', 'loopback'],
      ['http://127.0.0.1./', 'loopback'],
      ['http://2130706433/', 'loopback'],
      ['http://0x7f.1/', 'loopback'],
      ['http://0x7f000001/', 'loopback'],
      ['http://0177.0.0.1/', 'loopback'],
      ['http://127.1/', 'loopback'],
      ['http://１２７.0.0.1/', 'loopback'],
      ['http://[::1]/', 'loopback'],
      ['http://[0:0:0:0:0:0:0:1]/', 'loopback'],
      ['http://[::ffff:127.0.0.1]/', 'loopback'],
      ['http://[::ffff:7f00:1]/', 'loopback'],
      ['http://[::]/', 'unspecified'],
      ['http://0/', 'unspecified'],
      ['http://0.0.0.0:8080/', 'unspecified'],
      ['http://169.254.169.254/latest/meta-data/', 'link-local'],
      ['http://[::ffff:169.254.169.254]/', 'link-local'],
      ['http://0xa9fea9fe/', 'link-local'],
      ['http://[fe80::1]/', 'link-local'],
      ['http://10.0.0.1/', 'private'],
      ['http://192.168.1.1:8443/', 'private'],
      ['http://[fd00::1]/', 'unique local'],
      ['http://100.64.0.1/', 'carrier-grade NAT'],
      ['http://[::127.0.0.1]/', 'non-global'],
    ])('refuses the IP literal URL %p', (raw, label) => {
      expect(refusal(raw)).toMatch(new RegExp(`is ${label}`));
    });

    it.each([
      ['http://localhost/'],
      ['http://localhost:3000/hook'],
      ['http://LOCALHOST/'],
      ['http://localhost./'],
      ['http://%6c%6fcalhost/'],
      ['http://api.localhost/'],
      ['http://a.b.localhost./'],
    ])('treats %p as loopback', (raw) => {
      expect(refusal(raw)).toMatch(/is loopback/);
    });

    describe('with loopback allowed', () => {
      const open = new UrlPolicy({ allowedCidrs: LOOPBACK_ALLOWED });

      it.each([
        ['http://localhost:3000/hook'],
        ['http://api.localhost/'],
        ['http://127.0.0.1/'],
        ['http://[::1]/'],
        ['http://2130706433/'],
      ])('accepts %p', (raw) => {
        expect(open.checkUrl(raw).ok).toBe(true);
      });

      it('still refuses other internal targets', () => {
        expect(refusal('http://169.254.169.254/', open)).toMatch(/link-local/);
        expect(refusal('http://10.0.0.1/', open)).toMatch(/private/);
      });

      it('requires both 127.0.0.1 and ::1 to be allowed for localhost', () => {
        const v4Only = new UrlPolicy({ allowedCidrs: ['127.0.0.0/8'] });
        expect(refusal('http://localhost/', v4Only)).toMatch(/\(::1\)/);
        expect(v4Only.checkUrl('http://127.0.0.1/').ok).toBe(true);
      });
    });
  });

  describe('createLookup', () => {
    const lookupAsync = (lookup: LookupFunction, hostname: string, options: Parameters<LookupFunction>[1]) =>
      new Promise<{ address: string | LookupAddress[]; family?: number }>((resolve, reject) => {
        lookup(hostname, options, (error, address, family) => (error ? reject(error) : resolve({ address, family })));
      });

    describe('with the real resolver (localhost only, no network)', () => {
      it('refuses localhost without an allow-list, naming the host and address', async () => {
        const error = await lookupAsync(policy.createLookup(), 'localhost', {}).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UrlPolicyError);
        expect(error).toMatchObject({ code: 'ERR_URL_POLICY', hostname: 'localhost' });
        expect((error as UrlPolicyError).message).toMatch(/"localhost".*(127\.0\.0\.1|::1)/);
        expect((error as UrlPolicyError).message).toContain((error as UrlPolicyError).address);
      });

      it('refuses localhost in the all: true form too', async () => {
        await expect(lookupAsync(policy.createLookup(), 'localhost', { all: true })).rejects.toMatchObject({
          code: 'ERR_URL_POLICY',
        });
      });

      it('resolves localhost to a single address when loopback is allowed', async () => {
        const open = new UrlPolicy({ allowedCidrs: LOOPBACK_ALLOWED });
        const { address, family } = await lookupAsync(open.createLookup(), 'localhost', {});
        expect(typeof address).toBe('string');
        expect(['127.0.0.1', '::1']).toContain(address);
        expect(family).toBe(address === '::1' ? 6 : 4);
      });

      it('resolves localhost to an address list when loopback is allowed and all: true', async () => {
        const open = new UrlPolicy({ allowedCidrs: LOOPBACK_ALLOWED });
        const { address } = await lookupAsync(open.createLookup(), 'localhost', { all: true });
        expect(Array.isArray(address)).toBe(true);
        expect((address as LookupAddress[]).length).toBeGreaterThan(0);
        for (const entry of address as LookupAddress[]) expect(['127.0.0.1', '::1']).toContain(entry.address);
      });

      it('passes IP literals through the same check', async () => {
        await expect(lookupAsync(policy.createLookup(), '169.254.169.254', {})).rejects.toMatchObject({
          code: 'ERR_URL_POLICY',
          address: '169.254.169.254',
        });
      });
    });

    describe('with a stubbed resolver', () => {
      const stub = (answers: Record<string, LookupAddress[]>): jest.MockedFunction<LookupAll> =>
        jest.fn<void, Parameters<LookupAll>>((hostname, _options, callback) => {
          const addresses = answers[hostname];
          if (addresses) return callback(null, addresses);
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
        });
      const resolver = stub({
        'public.example': [
          { address: '93.184.216.34', family: 4 },
          { address: '2606:2800:220:1::', family: 6 },
        ],
        'rebind.example': [
          { address: '93.184.216.34', family: 4 },
          { address: '10.0.0.5', family: 4 },
        ],
        'metadata.example': [{ address: '169.254.169.254', family: 4 }],
        'mapped.example': [{ address: '::ffff:127.0.0.1', family: 6 }],
        'empty.example': [],
      });

      it('returns the first address in the single-address form', async () => {
        await expect(lookupAsync(policy.createLookup(resolver), 'public.example', {})).resolves.toEqual({
          address: '93.184.216.34',
          family: 4,
        });
      });

      it('returns every address in the all: true form', async () => {
        await expect(lookupAsync(policy.createLookup(resolver), 'public.example', { all: true })).resolves.toEqual({
          address: [
            { address: '93.184.216.34', family: 4 },
            { address: '2606:2800:220:1::', family: 6 },
          ],
          family: undefined,
        });
      });

      it('always asks the resolver for all addresses and forwards the other options', async () => {
        resolver.mockClear();
        await lookupAsync(policy.createLookup(resolver), 'public.example', { family: 4, hints: 32 });
        expect(resolver).toHaveBeenCalledWith('public.example', { family: 4, hints: 32, all: true }, expect.any(Function));
      });

      it('refuses when any resolved address is internal, even if the first is public', async () => {
        for (const all of [false, true]) {
          await expect(lookupAsync(policy.createLookup(resolver), 'rebind.example', { all })).rejects.toMatchObject({
            code: 'ERR_URL_POLICY',
            hostname: 'rebind.example',
            address: '10.0.0.5',
            message: 'Refusing to connect to "rebind.example": address 10.0.0.5 is private and not in the allow-list',
          });
        }
      });

      it.each([['metadata.example'], ['mapped.example']])('refuses %p', async (hostname) => {
        await expect(lookupAsync(policy.createLookup(resolver), hostname, {})).rejects.toBeInstanceOf(UrlPolicyError);
      });

      it('passes resolver errors through unchanged', async () => {
        await expect(lookupAsync(policy.createLookup(resolver), 'missing.example', {})).rejects.toMatchObject({
          code: 'ENOTFOUND',
        });
      });

      it('treats an empty answer as not found', async () => {
        await expect(lookupAsync(policy.createLookup(resolver), 'empty.example', {})).rejects.toMatchObject({
          code: 'ENOTFOUND',
        });
      });

      it('supports the legacy (hostname, callback) and (hostname, family, callback) call forms', async () => {
        const lookup = policy.createLookup(resolver) as unknown as (...args: unknown[]) => void;
        const viaCallback = await new Promise((resolve) => lookup('public.example', (...args: unknown[]) => resolve(args)));
        expect(viaCallback).toEqual([null, '93.184.216.34', 4]);

        resolver.mockClear();
        const viaFamily = await new Promise((resolve) => lookup('public.example', 6, (...args: unknown[]) => resolve(args)));
        expect(viaFamily).toEqual([null, '93.184.216.34', 4]);
        expect(resolver).toHaveBeenCalledWith('public.example', { family: 6, all: true }, expect.any(Function));
      });

      it('throws synchronously without a callback', () => {
        const lookup = policy.createLookup(resolver) as unknown as (...args: unknown[]) => void;
        expect(() => lookup('public.example', {})).toThrow(TypeError);
      });
    });

    describe('as the lookup of net.connect', () => {
      let server: Server;
      let port: number;

      beforeAll(async () => {
        server = createServer((socket) => socket.end());
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        port = (server.address() as AddressInfo).port;
      });

      afterAll(async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });

      const tryConnect = (lookup: LookupFunction, autoSelectFamily: boolean) =>
        new Promise<string>((resolve, reject) => {
          const socket = connect({ host: 'localhost', port, family: 4, lookup, autoSelectFamily });
          socket.once('connect', () => {
            const { address } = socket.address() as AddressInfo;
            socket.destroy();
            resolve(address);
          });
          socket.once('error', reject);
        });

      it.each([[false], [true]])('blocks localhost by default (autoSelectFamily: %p)', async (autoSelectFamily) => {
        await expect(tryConnect(policy.createLookup(), autoSelectFamily)).rejects.toMatchObject({
          code: 'ERR_URL_POLICY',
        });
      });

      it.each([[false], [true]])('connects when loopback is allowed (autoSelectFamily: %p)', async (autoSelectFamily) => {
        const open = new UrlPolicy({ allowedCidrs: LOOPBACK_ALLOWED });
        await expect(tryConnect(open.createLookup(), autoSelectFamily)).resolves.toBe('127.0.0.1');
      });
    });
  });
});
