import { CidrSet, NO_CIDRS_REMAINING } from './cidr-set';

describe('CidrSet (upstream cidrset)', () => {
  it('hands out node blocks in order, round-robin after a release', () => {
    const set = new CidrSet('10.244.0.0/22', 24);
    expect([set.allocateNext(), set.allocateNext(), set.allocateNext()]).toEqual([
      '10.244.0.0/24',
      '10.244.1.0/24',
      '10.244.2.0/24',
    ]);
    set.release('10.244.0.0/24');
    expect(set.allocateNext()).toBe('10.244.3.0/24');
    expect(set.allocateNext()).toBe('10.244.0.0/24');
    expect(() => set.allocateNext()).toThrow(NO_CIDRS_REMAINING);
  });

  it('occupies existing node CIDRs and the overlapping service range', () => {
    const set = new CidrSet('10.244.0.0/23', 24);
    set.occupy('10.244.0.0/24');
    expect(set.allocateNext()).toBe('10.244.1.0/24');
    expect(() => set.allocateNext()).toThrow(NO_CIDRS_REMAINING);
    const shared = new CidrSet('10.0.0.0/16', 24);
    expect(shared.overlaps('10.0.4.0/22')).toBe(true);
    shared.occupy('10.0.4.0/22');
    expect(shared.allocated).toBe(4);
    expect(shared.overlaps('10.96.0.0/12')).toBe(false);
    expect(() => shared.occupy('10.96.0.0/24')).toThrow(/out of the range/);
  });

  it('supports IPv6 and refuses masks that do not fit', () => {
    const v6 = new CidrSet('fd00:10:244::/56', 64);
    expect(v6.allocateNext()).toBe('fd00:10:244::/64');
    expect(v6.allocateNext()).toBe('fd00:10:244:1::/64');
    expect(() => new CidrSet('10.244.0.0/24', 16)).toThrow(/does not fit/);
    expect(() => new CidrSet('10.0.0.0/8', 25)).toThrow(/too large/);
  });
});
