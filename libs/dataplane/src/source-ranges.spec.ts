import { plainAddress, SourceRanges } from './source-ranges';

describe('SourceRanges', () => {
  it('should allow everyone without ranges', () => {
    expect(new SourceRanges().allows('192.0.2.1')).toBe(true);
    expect(new SourceRanges([]).open).toBe(true);
  });

  it('should match IPv4, IPv6 and IPv4-mapped clients against ranges of their family', () => {
    const ranges = new SourceRanges(['127.51.100.0/24', '2001:db8::/32']);
    expect(ranges.allows('127.51.100.9')).toBe(true);
    expect(ranges.allows('::ffff:127.51.100.9')).toBe(true);
    expect(ranges.allows('127.51.101.9')).toBe(false);
    expect(ranges.allows('2001:db8::1')).toBe(true);
    expect(ranges.allows('::1')).toBe(false);
    expect(ranges.allows('not-an-ip')).toBe(false);
  });

  it('should refuse a range that is not a CIDR', () => {
    expect(() => new SourceRanges(['10.0.0.0/8', '10.0.0.1'])).toThrow(/"10.0.0.1" is not a CIDR/);
  });

  it('should strip the IPv4-mapped prefix of client addresses', () => {
    expect(plainAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(plainAddress('::1')).toBe('::1');
  });
});
