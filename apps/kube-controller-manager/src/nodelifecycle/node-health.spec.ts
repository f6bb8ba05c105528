import type { NodeObject } from '@app/kube-client';
import { evaluateNodeHealth } from './node-health';

const T0 = Date.UTC(2026, 0, 1);
const timings = { nodeMonitorGracePeriodMs: 50_000, nodeStartupGracePeriodMs: 60_000 };
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function node(ready?: { status: string; heartbeat: number; transition: number }): NodeObject {
  return {
    metadata: { name: 'n', creationTimestamp: iso(T0) },
    status: {
      conditions: ready
        ? [
            { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
            {
              type: 'Ready',
              status: ready.status,
              reason: 'KubeletReady',
              lastHeartbeatTime: iso(ready.heartbeat),
              lastTransitionTime: iso(ready.transition),
            },
          ]
        : [],
    },
  };
}

describe('node health (tryUpdateNodeHealth)', () => {
  it('a node that keeps renewing its Lease stays healthy; silence for 50 s makes it Unknown', () => {
    const n = node({ status: 'True', heartbeat: T0, transition: T0 });
    let e = evaluateNodeHealth(n, undefined, '2026-01-01T00:00:00.100000Z', T0, timings);
    expect(e.conditionsToWrite).toBeUndefined();
    e = evaluateNodeHealth(n, e.health, '2026-01-01T00:00:40.100000Z', T0 + 40_000, timings);
    expect(e.health.probeTimestamp).toBe(T0 + 40_000);
    e = evaluateNodeHealth(n, e.health, '2026-01-01T00:00:40.100000Z', T0 + 90_000, timings);
    expect(e.conditionsToWrite).toBeUndefined();
    e = evaluateNodeHealth(n, e.health, '2026-01-01T00:00:40.100000Z', T0 + 90_001, timings);
    expect(e.observedReady.status).toBe('True');
    expect(e.currentReady?.status).toBe('Unknown');
    const written = e.conditionsToWrite!;
    expect(written.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['MemoryPressure', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
      ['Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
      ['DiskPressure', 'Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.'],
      ['PIDPressure', 'Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.'],
    ]);
    // The heartbeat time stays; the transition is now.
    expect(written[1].lastHeartbeatTime).toBe(iso(T0));
    expect(written[1].lastTransitionTime).toBe(iso(T0 + 90_001));
  });

  it('a node that never posted Ready gets the 60 s startup grace from its creation', () => {
    const n = node();
    expect(
      evaluateNodeHealth(n, undefined, undefined, T0 + 60_000, timings).conditionsToWrite,
    ).toBeUndefined();
    const e = evaluateNodeHealth(n, undefined, undefined, T0 + 60_001, timings);
    expect(e.conditionsToWrite?.find((c) => c.type === 'Ready')).toEqual(
      expect.objectContaining({ status: 'Unknown', reason: 'NodeStatusNeverUpdated' }),
    );
  });

  it('a changed Ready heartbeat counts as a heartbeat too', () => {
    const first = evaluateNodeHealth(
      node({ status: 'True', heartbeat: T0, transition: T0 }),
      undefined,
      undefined,
      T0,
      timings,
    );
    const later = node({ status: 'True', heartbeat: T0 + 45_000, transition: T0 });
    const e = evaluateNodeHealth(later, first.health, undefined, T0 + 80_000, timings);
    expect(e.health.probeTimestamp).toBe(T0 + 80_000);
    expect(e.conditionsToWrite).toBeUndefined();
  });
});
