import { InvalidMilestoneError } from './invalid-milestone.error';
import { parseMilestone } from './parse-milestone.util';

describe('parseMilestone', () => {
  it.each([
    ['25%', 25],
    ['50%', 50],
    ['12.5%', 12.5],
    ['1%', 1],
    ['99%', 99],
    ['0.1%', 0.1],
    ['99.99%', 99.99],
    ['  75%  ', 75],
  ])('parses %p as %p', (input, expected) => {
    expect(parseMilestone(input)).toBe(expected);
  });

  it.each([
    ['0%', 'zero'],
    ['0.0%', 'zero with decimals'],
    ['100%', 'exactly 100'],
    ['100.0%', '100 with decimals'],
    ['150%', 'above 100'],
    ['-10%', 'negative'],
    ['50', 'no percent sign'],
    ['%50', 'percent sign first'],
    ['50 %', 'space before percent sign'],
    ['50%%', 'double percent sign'],
    ['abc', 'not a number'],
    ['', 'empty'],
    ['%', 'percent sign only'],
    ['.5%', 'no leading digit'],
    ['5.%', 'no fraction digits'],
    ['1e1%', 'exponent'],
    ['NaN%', 'NaN'],
    ['Infinity%', 'Infinity'],
    ['0x10%', 'hex'],
    ['25%,50%', 'list'],
  ])('rejects %p (%s)', (input) => {
    expect(() => parseMilestone(input)).toThrow(InvalidMilestoneError);
  });

  it.each([[50], [null], [undefined], [{}]])('rejects non-string %p', (input) => {
    expect(() => parseMilestone(input as unknown as string)).toThrow(InvalidMilestoneError);
  });

  it('quotes the input and shows valid examples in the message', () => {
    expect(() => parseMilestone('150%')).toThrow(
      'Invalid milestone "150%": use a percentage strictly between 0% and 100%, like 25%, 50%, 12.5%',
    );
  });
});
