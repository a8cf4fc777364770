export type { AddressCheckResult, LookupAll, UrlCheckResult, UrlPolicyOptions } from './url-policy.types';
export { UrlPolicy } from './url-policy.class';
export { UrlPolicyError } from './url-policy.error';
export { InvalidCidrError } from './invalid-cidr.error';
export { parseCidrList } from './parse-cidr-list.util';
export { cidrListEnvSchema } from './cidr-list-env.schema';
