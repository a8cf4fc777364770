import * as ipaddr from 'ipaddr.js';

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Returns `'unicast'` for publicly routable addresses, otherwise the name of the special range
 * (`loopback`, `private`, `linkLocal`, …) as reported by ipaddr.js.
 */
export function classifyAddress(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (address.kind() === 'ipv4') return address.range();

  const ipv6 = address as ipaddr.IPv6;
  // `::ffff:127.0.0.1` reaches 127.0.0.1 on a dual-stack socket, so judge the embedded IPv4.
  if (ipv6.isIPv4MappedAddress()) return classifyAddress(ipv6.toIPv4Address());

  const range = ipv6.range();
  if (range !== 'unicast') return range;
  // ipaddr.js calls everything it has no name for "unicast", including the deprecated
  // IPv4-compatible `::a.b.c.d` block; only 2000::/3 is actually allocated for global unicast.
  return ipv6.match(GLOBAL_UNICAST_V6) ? 'unicast' : 'nonGlobal';
}
