import * as ipaddr from 'ipaddr.js';
import { classifyAddress } from './classify-address.util';

describe('classifyAddress', () => {
  it.each([
    ['93.184.216.34', 'unicast'],
    ['2606:2800:220:1::', 'unicast'],
    ['::ffff:93.184.216.34', 'unicast'],
    ['127.0.0.1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::1', 'loopback'],
    ['::7f00:1', 'nonGlobal'],
    ['::808:808', 'nonGlobal'],
    ['100::1', 'discard'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
  ])('classifies %p as %p', (ip, expected) => {
    expect(classifyAddress(ipaddr.parse(ip))).toBe(expected);
  });
});
