import { createScheduler, canonicalSchedulerName, type Candidate } from './index';

const backends = (...specs: [string, number?, number?][]): Candidate[] =>
  specs.map(([id, weight = 1, active = 0]) => ({ id, weight, active }));

const run = (name: string, candidates: Candidate[], n: number, client = '10.0.0.1'): string[] => {
  const scheduler = createScheduler(name);
  return Array.from(
    { length: n },
    () => scheduler.pick(candidates, { client, destination: 'd:80' }).id,
  );
};

describe('schedulers', () => {
  it('should map the cloud algorithm names to IPVS schedulers and refuse unknown names', () => {
    expect(canonicalSchedulerName('round_robin')).toBe('rr');
    expect(canonicalSchedulerName('least_connections')).toBe('lc');
    expect(canonicalSchedulerName('source_ip_hash')).toBe('sh');
    expect(canonicalSchedulerName('wlc')).toBe('wlc');
    expect(canonicalSchedulerName('toString')).toBeUndefined();
    expect(() => createScheduler('lblc')).toThrow(/unknown scheduler "lblc"/);
  });

  it('should rotate in order with rr', () => {
    expect(run('rr', backends(['a'], ['b'], ['c']), 7)).toEqual([
      'a',
      'b',
      'c',
      'a',
      'b',
      'c',
      'a',
    ]);
  });

  it('should interleave by weight with wrr (smooth weighted round robin)', () => {
    expect(run('wrr', backends(['a', 5], ['b', 1], ['c', 1]), 7)).toEqual([
      'a',
      'a',
      'b',
      'a',
      'c',
      'a',
      'a',
    ]);
  });

  it('should pick the fewest active connections with lc and rotate among ties', () => {
    expect(run('lc', backends(['a', 1, 3], ['b', 1, 1], ['c', 1, 2]), 2)).toEqual(['b', 'b']);
    expect(run('lc', backends(['a'], ['b'], ['c']), 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('should weigh active connections with wlc and sed, and prefer idle backends with nq', () => {
    // a: 4/4 = 1, b: 2/1 = 2 → a
    expect(run('wlc', backends(['a', 4, 4], ['b', 1, 2]), 1)).toEqual(['a']);
    // sed: a (4+1)/4 = 1.25, b (0+1)/1 = 1 → b
    expect(run('sed', backends(['a', 4, 4], ['b', 1, 0]), 1)).toEqual(['b']);
    // nq: an idle backend wins whatever its weight
    expect(run('nq', backends(['a', 100, 1], ['b', 1, 0]), 1)).toEqual(['b']);
    expect(run('nq', backends(['a', 4, 1], ['b', 1, 1]), 1)).toEqual(['a']);
  });

  it('should keep a source on one backend with sh and move only the clients of a backend that leaves', () => {
    const all = backends(['a'], ['b'], ['c'], ['d']);
    const clients = Array.from({ length: 400 }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
    const sh = createScheduler('sh');
    const before = new Map(
      clients.map((c) => [c, sh.pick(all, { client: c, destination: '' }).id]),
    );
    expect(new Set(before.values()).size).toBe(4);
    for (const c of clients.slice(0, 20)) {
      expect(sh.pick(all, { client: c, destination: '' }).id).toBe(before.get(c));
    }
    const withoutB = all.filter((b) => b.id !== 'b');
    for (const c of clients) {
      const after = sh.pick(withoutB, { client: c, destination: '' }).id;
      if (before.get(c) !== 'b') {
        expect(after).toBe(before.get(c));
      }
    }
    // Roughly even: every backend gets at least half its fair share of 400 clients.
    const counts = [...before.values()].reduce<Record<string, number>>(
      (acc, id) => ({ ...acc, [id]: (acc[id] ?? 0) + 1 }),
      {},
    );
    Object.values(counts).forEach((n) => expect(n).toBeGreaterThan(50));
  });

  it('should send every client of one destination to the same backend with dh', () => {
    const dh = createScheduler('dh');
    const all = backends(['a'], ['b'], ['c']);
    const picks = ['10.0.0.1', '10.0.0.2', '10.9.9.9'].map(
      (client) => dh.pick(all, { client, destination: '127.1.2.3:80' }).id,
    );
    expect(new Set(picks).size).toBe(1);
  });
});
