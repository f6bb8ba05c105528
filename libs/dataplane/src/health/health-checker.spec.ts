import type { Health } from '../types';
import { HealthChecker } from './health-checker';
import type { ProbeResult } from './probes';

describe('HealthChecker', () => {
  const spec = {
    protocol: 'TCP' as const,
    intervalMs: 60_000,
    timeoutMs: 1000,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
  };
  const target = { address: '127.0.0.1', port: 1, protocol: 'TCP' as const };

  const setup = () => {
    const results: boolean[] = [];
    const changes: string[] = [];
    const clock = { t: 100, now: () => clock.t };
    const checker = new HealthChecker(
      target,
      spec,
      clock,
      (health: Health, previous: Health) => changes.push(`${previous}->${health}`),
      (): Promise<ProbeResult> => {
        const ok = results.shift() ?? true;
        return Promise.resolve({ ok, detail: ok ? 'TCP connect ok' : 'connect ECONNREFUSED' });
      },
    );
    const check = async (...outcomes: boolean[]) => {
      for (const ok of outcomes) {
        results.push(ok);
        await checker.check();
      }
    };
    return { checker, changes, check, clock };
  };

  it('should decide on the first result, then follow the thresholds', async () => {
    const { checker, changes, check, clock } = setup();
    await check(true);
    expect(checker.health).toBe('healthy');
    expect(checker.since).toBe(100);
    await check(false, false);
    expect(checker.health).toBe('healthy');
    clock.t = 200;
    await check(false);
    expect(checker.health).toBe('unhealthy');
    expect(checker.since).toBe(200);
    expect(checker.detail).toBe('connect ECONNREFUSED');
    await check(true, false, true);
    expect(checker.health).toBe('unhealthy');
    await check(true);
    expect(checker.health).toBe('healthy');
    expect(changes).toEqual(['unknown->healthy', 'healthy->unhealthy', 'unhealthy->healthy']);
    expect(checker.counters).toEqual({ successes: 4, failures: 4 });
    checker.stop();
  });

  it('should start unhealthy when the first check fails and release waiters', async () => {
    const { checker, check } = setup();
    const known = checker.whenKnown();
    await check(false);
    await known;
    expect(checker.health).toBe('unhealthy');
    checker.stop();
  });

  it('should start over from unknown when the target changes, but keep state for new timings', async () => {
    const { checker, changes, check } = setup();
    await check(true);
    checker.reconfigure(target, { ...spec, intervalMs: 1000 });
    expect(checker.health).toBe('healthy');
    checker.reconfigure({ ...target, port: 2 }, spec);
    expect(checker.health).toBe('unknown');
    await checker.check();
    expect(changes).toEqual(['unknown->healthy', 'healthy->unknown', 'unknown->healthy']);
    checker.stop();
  });
});
