import { parseIp } from './parse-ip.util';

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['::127.0.0.1', '::7f00:1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2606:2800:0220:0001:0000:0000:0000:0000', '2606:2800:220:1::'],
  ])('reads %p as %p, like the socket layer does', (input, expected) => {
    expect(parseIp(input)?.toString()).toBe(expected);
  });

  it.each([
    ['0177.0.0.1'],
    ['0x7f.0.0.1'],
    ['2130706433'],
    ['127.1'],
    ['[::1]'],
    [' ::1'],
    ['::1/128'],
    ['1::2::3'],
    ['example.com'],
    [''],
  ])('refuses %p', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });

  it.each([[undefined], [null], [2130706433]])('refuses the non-string %p', (input) => {
    expect(parseIp(input as unknown as string)).toBeUndefined();
  });
});
