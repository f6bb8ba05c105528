import { computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from './pod-template-hash';

describe('pod-template-hash', () => {
  it('FNV-32a matches Go hash/fnv New32a', () => {
    expect(fnv32a('')).toBe(0x811c9dc5);
    expect(fnv32a('a')).toBe(0xe40c292c);
    expect(fnv32a('foobar')).toBe(0xbf9cf968);
  });

  it('safe-encodes digits onto the vowel-free alphabet', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });

  it('depends on the template and the collision count only', () => {
    const t = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
    };
    const same = {
      spec: { containers: [{ image: 'nginx:1.27', name: 'nginx' }] },
      metadata: { labels: { app: 'web' } },
    };
    expect(computeHash(t)).toBe(computeHash(same));
    expect(computeHash(t)).toMatch(/^[456789bcdf]{1,10}$/);
    expect(computeHash(t, 1)).not.toBe(computeHash(t));
    expect(
      computeHash({ ...t, spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] } }),
    ).not.toBe(computeHash(t));
  });

  it('compares templates without the pod-template-hash label', () => {
    const a = {
      metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } },
      spec: { containers: [] },
    };
    const b = { metadata: { labels: { app: 'web' } }, spec: { containers: [] } };
    expect(equalIgnoreHash(a, b)).toBe(true);
    expect(equalIgnoreHash(a, { ...b, metadata: { labels: { app: 'api' } } })).toBe(false);
  });
});
