import { Backoff } from './backoff';

describe('Backoff (flowcontrol.Backoff as the kubelet uses it)', () => {
  it('doubles from 10 s to the 5 min cap', () => {
    const b = new Backoff();
    const waits = [0, 1, 2, 3, 4, 5, 6].map((i) => b.next('k', i * 1000));
    expect(waits).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('is in back-off until the wait after the event is over', () => {
    const b = new Backoff();
    expect(b.isInBackOffSince('k', 0, 0)).toBe(false);
    b.next('k', 0);
    expect(b.isInBackOffSince('k', 1000, 5000)).toBe(true);
    expect(b.isInBackOffSince('k', 1000, 11_000)).toBe(false);
    expect(b.endsAt('k', 1000)).toBe(11_000);
  });

  it('starts over once the last update is older than twice the maximum', () => {
    const b = new Backoff();
    b.next('k', 0);
    b.next('k', 1000);
    expect(b.next('k', 1000 + 600_001)).toBe(10_000);
  });
});
