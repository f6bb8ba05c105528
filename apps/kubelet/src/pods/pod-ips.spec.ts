import { PodIpAllocator } from './pod-ips';

describe('PodIpAllocator (host-local IPAM of one node)', () => {
  it('hands out .2 upwards, never twice, continuing after the last one reserved', () => {
    const ips = new PodIpAllocator('10.244.1.0/24');
    expect([ips.allocate(), ips.allocate(), ips.allocate()]).toEqual([
      '10.244.1.2',
      '10.244.1.3',
      '10.244.1.4',
    ]);
    ips.release('10.244.1.2');
    // host-local moves on from the last reservation; the released address comes back later.
    expect(ips.allocate()).toBe('10.244.1.5');
    expect(ips.inUse).toBe(3);
  });

  it('wraps around to released addresses and reports a full range', () => {
    const ips = new PodIpAllocator('10.244.7.0/29'); // usable .2–.6
    const got = [1, 2, 3, 4, 5].map(() => ips.allocate());
    expect(got).toEqual(['10.244.7.2', '10.244.7.3', '10.244.7.4', '10.244.7.5', '10.244.7.6']);
    expect(ips.allocate()).toBeUndefined();
    ips.release('10.244.7.3');
    expect(ips.allocate()).toBe('10.244.7.3');
  });

  it('reserves addresses found in use and ignores ones outside the range', () => {
    const ips = new PodIpAllocator('10.244.0.0/24');
    expect(ips.reserve('10.244.0.2')).toBe(true);
    expect(ips.reserve('10.244.0.2')).toBe(false);
    expect(ips.reserve('10.244.9.9')).toBe(false);
    expect(ips.reserve('10.244.0.1')).toBe(false); // the gateway
    expect(ips.allocate()).toBe('10.244.0.3');
  });
});
