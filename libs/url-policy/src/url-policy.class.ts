import * as dns from 'node:dns';
import { isIPv4, type LookupFunction } from 'node:net';
import * as ipaddr from 'ipaddr.js';
import { classifyAddress } from './classify-address.util';
import { InvalidCidrError } from './invalid-cidr.error';
import { ParsedCidr, parseCidr } from './parse-cidr.util';
import { parseIp } from './parse-ip.util';
import { UrlPolicyError } from './url-policy.error';
import { AddressCheckResult, LookupAll, UrlCheckResult, UrlPolicyOptions } from './url-policy.types';

const MAX_URL_LENGTH = 2048;
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:']);
const LOCALHOST_ADDRESSES = ['127.0.0.1', '::1'];
/** checkUrl answers kept per URL string: a dispatcher checks the same few URLs thousands of times. */
const CHECKED_URLS_KEPT = 10_000;

const RANGE_LABELS: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private',
  uniqueLocal: 'unique local (private)',
  reserved: 'reserved',
  nonGlobal: 'non-global',
};

type LookupCallback = Parameters<LookupFunction>[2];

/**
 * Server-side request forgery guard for webhook targets: only public unicast addresses are
 * reachable unless an address is inside one of the allowed CIDRs.
 */
export class UrlPolicy {
  private readonly allowed: readonly ParsedCidr[];
  private readonly checked = new Map<string, UrlCheckResult>();

  constructor({ allowedCidrs = [] }: UrlPolicyOptions = {}) {
    this.allowed = allowedCidrs.map((entry) => {
      const cidr = parseCidr(entry.trim());
      if (!cidr) throw new InvalidCidrError(entry);
      return cidr;
    });
  }

  /**
   * Static checks done when a URL is registered. Hostnames are only resolved at connect time
   * (see `createLookup`), because a check-then-connect DNS answer can change in between.
   */
  checkUrl(raw: string): UrlCheckResult {
    const known = this.checked.get(raw);
    if (known) return known;
    const result = this.check(raw);
    if (typeof raw === 'string') {
      if (this.checked.size >= CHECKED_URLS_KEPT) this.checked.delete(this.checked.keys().next().value!);
      this.checked.set(raw, result);
    }
    return result;
  }

  private check(raw: string): UrlCheckResult {
    if (typeof raw !== 'string' || raw.length === 0) return { ok: false, reason: 'URL is required', malformed: true };
    if (raw.length > MAX_URL_LENGTH) return { ok: false, reason: `URL is longer than ${MAX_URL_LENGTH} characters` };

    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, reason: 'URL is not valid', malformed: true };
    }

    if (!ALLOWED_PROTOCOLS.has(url.protocol)) {
      return { ok: false, reason: `URL scheme "${url.protocol}" is not allowed; use http: or https:` };
    }
    if (url.username !== '' || url.password !== '') {
      return { ok: false, reason: 'URL must not contain credentials (user:password@)' };
    }
    const hostname = url.hostname;
    if (hostname === '') return { ok: false, reason: 'URL must have a hostname' };

    // The URL parser has already normalised odd IPv4 forms (`2130706433`, `0x7f.1`, `127.1`) to
    // dotted decimal and IPv6 to its compressed form, so only canonical literals reach here.
    const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : isIPv4(hostname) ? hostname : undefined;
    if (literal !== undefined) {
      const result = this.checkAddress(literal);
      return result.ok ? { ok: true, url } : result;
    }

    if (isLocalhost(hostname)) {
      // RFC 6761 lets resolvers answer *.localhost with loopback without asking DNS.
      for (const address of LOCALHOST_ADDRESSES) {
        const result = this.checkAddress(address);
        if (!result.ok) return { ok: false, reason: `"${hostname}" is loopback (${address}) and not in the allow-list` };
      }
    }
    return { ok: true, url };
  }

  checkAddress(ip: string): AddressCheckResult {
    const address = parseIp(ip);
    if (!address) return { ok: false, reason: `${JSON.stringify(String(ip))} is not an IP address` };
    if (this.isAllowListed(address)) return { ok: true };

    const range = classifyAddress(address);
    if (range === 'unicast') return { ok: true };
    const label = RANGE_LABELS[range] ?? `special-purpose (${range})`;
    return { ok: false, reason: `address ${ip} is ${label} and not in the allow-list` };
  }

  /**
   * A drop-in `lookup` for `net.connect`, `tls.connect`, `http.request` or undici's `connect`
   * option. Every resolved address is checked right before the socket connects, so a DNS answer
   * that changes after `checkUrl` (DNS rebinding) still can't reach an internal address.
   */
  createLookup(resolve: LookupAll = dns.lookup): LookupFunction {
    const lookup = (
      hostname: string,
      optionsOrCallback: dns.LookupOptions | number | LookupCallback | undefined,
      maybeCallback?: LookupCallback,
    ): void => {
      const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
      if (typeof callback !== 'function') throw new TypeError('lookup requires a callback');
      const options: dns.LookupOptions =
        typeof optionsOrCallback === 'number'
          ? { family: optionsOrCallback }
          : typeof optionsOrCallback === 'object' && optionsOrCallback !== null
            ? optionsOrCallback
            : {};

      const noAddress = options.all ? [] : '';

      resolve(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, noAddress);
        if (!addresses || addresses.length === 0) {
          const notFound = Object.assign(new Error(`No addresses found for ${hostname}`), { code: 'ENOTFOUND' });
          return callback(notFound, noAddress);
        }
        for (const { address } of addresses) {
          const result = this.checkAddress(address);
          if (!result.ok) {
            const message = `Refusing to connect to ${JSON.stringify(hostname)}: ${result.reason}`;
            return callback(new UrlPolicyError(message, hostname, address), noAddress);
          }
        }
        if (options.all) return callback(null, addresses);
        const [first] = addresses;
        return callback(null, first.address, first.family);
      });
    };
    return lookup as LookupFunction;
  }

  private isAllowListed(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    if (this.allowed.length === 0) return false;
    // Match both spellings of an IPv4 address so `127.0.0.0/8` also covers `::ffff:127.0.0.1`.
    const forms: (ipaddr.IPv4 | ipaddr.IPv6)[] = [address];
    if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()) forms.push(address.toIPv4Address());
    if (address instanceof ipaddr.IPv4) forms.push(address.toIPv4MappedAddress());
    return forms.some((form) =>
      this.allowed.some(({ address: network, bits }) => form.kind() === network.kind() && form.match(network, bits)),
    );
  }
}

function isLocalhost(hostname: string): boolean {
  const name = hostname.replace(/\.+$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}
