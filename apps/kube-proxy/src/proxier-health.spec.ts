import { goTimeString } from './go-time';
import { HEALTH_TIMEOUT_MS, ProxierHealth } from './proxier-health';

const T0 = Date.UTC(2025, 2, 1, 10, 0, 0, 123);

describe('kube-proxy health (proxier_health.go, 1.29–1.32)', () => {
  it('prints times as Go does', () => {
    expect(goTimeString(T0, 612.3)).toBe('2025-03-01 10:00:00.123 +0000 UTC m=+612.300000000');
    expect(goTimeString(Date.UTC(2025, 2, 1), 1)).toBe(
      '2025-03-01 00:00:00 +0000 UTC m=+1.000000000',
    );
  });

  it('/healthz needs the node eligible, /livez does not', () => {
    const h = new ProxierHealth(() => 5);
    h.updated(T0);
    const ok = h.healthz(T0);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(
      `{"lastUpdated": "2025-03-01 10:00:00.123 +0000 UTC m=+5.000000000","currentTime": "2025-03-01 10:00:00.123 +0000 UTC m=+5.000000000", "nodeEligible": true}`,
    );
    h.syncNode({
      metadata: { name: 'n' },
      spec: { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }] },
    });
    expect(h.healthz(T0).status).toBe(503);
    expect(h.healthz(T0).body).toContain('"nodeEligible": false');
    expect(h.livez(T0)).toEqual({
      status: 200,
      body: `{"lastUpdated": "2025-03-01 10:00:00.123 +0000 UTC m=+5.000000000","currentTime": "2025-03-01 10:00:00.123 +0000 UTC m=+5.000000000"}`,
    });
    h.syncNode({ metadata: { name: 'n', deletionTimestamp: '2025-03-01T10:00:00Z' } });
    expect(h.healthz(T0).status).toBe(503);
    h.syncNode({ metadata: { name: 'n' } });
    expect(h.healthz(T0).status).toBe(200);
  });

  it('turns unhealthy when a queued change waits longer than the health timeout', () => {
    const h = new ProxierHealth(() => 100);
    h.updated(T0);
    h.queued(T0 + 1000);
    expect(h.livez(T0 + 1000 + HEALTH_TIMEOUT_MS - 1).status).toBe(200);
    const stale = h.livez(T0 + 1000 + HEALTH_TIMEOUT_MS);
    expect(stale.status).toBe(503);
    expect(stale.body).toContain('"lastUpdated": "2025-03-01 10:00:00.123 +0000 UTC');
    h.updated(T0 + 70_000);
    expect(h.livez(T0 + 70_000).status).toBe(200);
  });
});
