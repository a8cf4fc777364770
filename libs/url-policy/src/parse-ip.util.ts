import { isIPv4, isIPv6 } from 'node:net';
import * as ipaddr from 'ipaddr.js';

/**
 * Parses an IP address exactly as the socket layer will read it, or returns undefined.
 *
 * Validation uses Node's own parser: IPv4 must be canonical dotted decimal, because forms like
 * `0177.0.0.1` or `2130706433` mean different things to different parsers, and a mismatch between
 * checker and connector is exactly what an attacker wants. IPv6 is re-serialised by the WHATWG URL
 * parser first because ipaddr.js reads `::127.0.0.1` as `::ffff:127.0.0.1` while the OS reads it
 * as `::7f00:1`.
 */
export function parseIp(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (typeof ip !== 'string') return undefined;
  if (isIPv4(ip)) return ipaddr.IPv4.parse(ip);
  if (!isIPv6(ip)) return undefined;

  // A zone id only picks the interface for link-local addresses; it doesn't change the range.
  const [address = ''] = ip.split('%');
  try {
    return ipaddr.IPv6.parse(new URL(`http://[${address}]/`).hostname.slice(1, -1));
  } catch {
    return undefined;
  }
}
