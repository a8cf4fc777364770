import { InvalidCidrError } from './invalid-cidr.error';
import { parseCidrList } from './parse-cidr-list.util';

describe('parseCidrList', () => {
  it.each([[undefined], [''], ['   '], [' , ,']])('returns an empty list for %p', (raw) => {
    expect(parseCidrList(raw)).toEqual([]);
  });

  it('splits on commas and trims entries', () => {
    expect(parseCidrList(' 127.0.0.0/8 , ::1/128,10.0.0.0/8 ')).toEqual(['127.0.0.0/8', '::1/128', '10.0.0.0/8']);
  });

  it('ignores empty entries from stray commas', () => {
    expect(parseCidrList('127.0.0.0/8,,::1/128,')).toEqual(['127.0.0.0/8', '::1/128']);
  });

  it.each([['0.0.0.0/0'], ['::/0'], ['192.168.1.10'], ['fd00::1'], ['::ffff:10.0.0.0/104'], ['10.1.2.3/8']])(
    'accepts %p',
    (entry) => {
      expect(parseCidrList(entry)).toEqual([entry]);
    },
  );

  it.each([
    ['10.0.0.0/33', 'IPv4 prefix too long'],
    ['::1/129', 'IPv6 prefix too long'],
    ['10.0.0.0/', 'missing prefix'],
    ['10.0.0.0/-1', 'negative prefix'],
    ['10.0.0.0/8/8', 'two prefixes'],
    ['10.0.0.0/abc', 'non-numeric prefix'],
    ['10.0.0/8', 'three-part IPv4'],
    ['0177.0.0.1/32', 'octal IPv4'],
    ['0x7f.0.0.1/32', 'hex IPv4'],
    ['2130706433/32', 'integer IPv4'],
    ['256.0.0.0/8', 'octet out of range'],
    ['localhost', 'hostname'],
    ['localhost/8', 'hostname with prefix'],
    ['fe80::1%eth0/64', 'zone id'],
    ['10.0.0.0 /8', 'inner space'],
    ['*', 'wildcard'],
    ['::1::/128', 'invalid IPv6'],
  ])('throws naming the bad entry %p (%s)', (entry) => {
    const raw = `127.0.0.0/8,${entry},::1/128`;
    expect(() => parseCidrList(raw)).toThrow(InvalidCidrError);
    expect(() => parseCidrList(raw)).toThrow(`Invalid CIDR ${JSON.stringify(entry.trim())}`);
  });
});
