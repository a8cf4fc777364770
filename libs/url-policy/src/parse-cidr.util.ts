import * as ipaddr from 'ipaddr.js';
import { parseIp } from './parse-ip.util';

export interface ParsedCidr {
  address: ipaddr.IPv4 | ipaddr.IPv6;
  bits: number;
}

/** Parses `10.0.0.0/8`, `::1/128`, or a bare address (a single-host range); zone ids are refused. */
export function parseCidr(entry: string): ParsedCidr | undefined {
  const match = /^([^/%\s]+)(?:\/(\d{1,3}))?$/.exec(entry);
  const address = match ? parseIp(match[1] ?? '') : undefined;
  if (!match || !address) return undefined;

  const maxBits = address.kind() === 'ipv4' ? 32 : 128;
  const bits = match[2] === undefined ? maxBits : Number(match[2]);
  return bits <= maxBits ? { address, bits } : undefined;
}
