import type { LookupAddress, LookupAllOptions } from 'node:dns';

export interface UrlPolicyOptions {
  /** CIDRs that are reachable even though they are not public, e.g. `127.0.0.0/8` in development. */
  allowedCidrs?: readonly string[];
}

/** `malformed` when the text is not a URL at all (bad input), as opposed to a URL the policy refuses. */
/** `url` is shared by every caller that checks the same string: read it, do not modify it. */
export type UrlCheckResult = { ok: true; url: Readonly<URL> } | { ok: false; reason: string; malformed?: true };

export type AddressCheckResult = { ok: true } | { ok: false; reason: string };

/** The subset of `dns.lookup` that `createLookup` relies on; injectable for tests or caching resolvers. */
export type LookupAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;
