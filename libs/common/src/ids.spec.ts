import { IdGenerator } from './ids';

describe('IdGenerator', () => {
  it('should repeat the same sequence for the same seed', () => {
    const a = new IdGenerator('seed-1');
    const b = new IdGenerator('seed-1');
    const seqA = [a.next('i'), a.next('op'), a.hex(40)];
    expect([b.next('i'), b.next('op'), b.hex(40)]).toEqual(seqA);
    expect(seqA[0]).toMatch(/^i-[0-9a-f]{17}$/);
    expect(seqA[2]).toHaveLength(40);
  });

  it('should differ between seeds and restart on reseed', () => {
    const a = new IdGenerator('x');
    const first = a.next('i');
    expect(new IdGenerator('y').next('i')).not.toBe(first);
    a.next('i');
    a.reseed('x');
    expect(a.next('i')).toBe(first);
  });

  it('should be random without a seed', () => {
    const g = new IdGenerator();
    expect(g.next('i')).not.toBe(g.next('i'));
  });

  it('should give well-formed, distinct ids across many refills of its random pool', () => {
    const g = new IdGenerator();
    const ids = Array.from({ length: 5_000 }, () => g.next('lb')); // 9 bytes each: ~11 pools
    expect(ids.every((id) => /^lb-[0-9a-f]{17}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(g.hex(10_000)).toMatch(/^[0-9a-f]{10000}$/); // more than one pool at once
  });
});
