import type { PodObject } from '@app/kube-client';
import { rawResourceReplicas, resourceReplicas } from './replica-calculator';
import type { PodMetricsInfo } from './resource-metrics-client';

// Cases from upstream's replica_calculator_test.go (requests in cores, levels in millicores).
const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const SETTINGS = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 300_000,
  delayOfInitialReadinessStatusMs: 30_000,
};
const iso = (ms: number) => new Date(ms).toISOString();

function pod(
  i: number,
  request: string,
  ready: 'True' | 'False' = 'True',
  phase = 'Running',
): PodObject {
  const started = NOW - 600_000;
  return {
    metadata: { name: `test-pod-${i}`, namespace: 'test-namespace' },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: request } } }] },
    status: {
      phase,
      startTime: iso(started),
      // Ready since a minute after start, or unready and never ready.
      conditions: [
        {
          type: 'Ready',
          status: ready,
          lastTransitionTime: iso(started + (ready === 'True' ? 60_000 : 10_000)),
        },
      ],
    },
  };
}

const samples = (levels: number[]): PodMetricsInfo =>
  new Map(
    levels.map((value, i) => [`test-pod-${i}`, { timestampMs: NOW, windowMs: 60_000, value }]),
  );

describe('resourceReplicas (GetResourceReplicas)', () => {
  const calc = (current: number, target: number, pods: PodObject[], levels: number[]) =>
    resourceReplicas(
      { current, resource: 'cpu', pods, metrics: samples(levels), settings: SETTINGS, nowMs: NOW },
      target,
      '',
    );

  it('scales up to the ratio of utilization to target (TestReplicaCalcScaleUp)', () => {
    const pods = [0, 1, 2].map((i) => pod(i, '1'));
    expect(calc(3, 30, pods, [300, 500, 700])).toEqual({
      replicas: 5,
      utilization: 50,
      rawAverage: 500,
    });
  });

  it('counts unready pods at 0 on a scale-up (TestReplicaCalcScaleUpUnreadyLessScale)', () => {
    const pods = [pod(0, '1', 'False'), pod(1, '1'), pod(2, '1')];
    expect(calc(3, 30, pods, [300, 500, 700])).toMatchObject({ replicas: 4, utilization: 60 });
  });

  it('ignores pending and deleted pods', () => {
    const pods = [pod(0, '1'), pod(1, '1'), pod(2, '1', 'False', 'Pending')];
    pods[1].metadata!.deletionTimestamp = iso(NOW);
    // Pod 0 alone reads 90% (×3 of target 30); with the pending pod at 0 it is 45% of two
    // pods' requests, so 3 replicas; the deleted pod's sample is dropped.
    expect(calc(3, 30, pods, [900, 100])).toMatchObject({ replicas: 3, utilization: 90 });
  });

  it('scales down (TestReplicaCalcScaleDown)', () => {
    const pods = [0, 1, 2, 3, 4].map((i) => pod(i, '1'));
    expect(calc(5, 50, pods, [100, 300, 500, 250, 250])).toMatchObject({
      replicas: 3,
      utilization: 28,
    });
  });

  it('keeps the count within the tolerance (TestReplicaCalcTolerance)', () => {
    const pods = [pod(0, '900m'), pod(1, '1'), pod(2, '1100m')];
    expect(calc(3, 100, pods, [1010, 1030, 1020])).toMatchObject({
      replicas: 3,
      utilization: 102,
    });
  });

  it('fails as upstream when pods lack requests or samples', () => {
    const noRequest = pod(0, '1');
    delete noRequest.spec!.containers[0].resources;
    expect(() => calc(1, 50, [noRequest], [100])).toThrow(
      'missing request for cpu in container c of Pod test-pod-0',
    );
    expect(() => calc(1, 50, [], [100])).toThrow(
      'no pods returned by selector while calculating replica count',
    );
    expect(() => calc(1, 50, [pod(0, '1', 'False')], [100])).toThrow(
      'did not receive metrics for targeted pods (pods might be unready)',
    );
  });

  it('a pod Ready for less than a sample window in its first minutes is unready', () => {
    const fresh = pod(0, '1');
    fresh.status!.startTime = iso(NOW - 60_000);
    fresh.status!.conditions![0].lastTransitionTime = iso(NOW - 10_000);
    const settled = pod(1, '1');
    // Pod 1 alone: 800m of 1 core = 80% against 40 → 2 × its 1 pod; pod 0 counts as 0 → 2.
    expect(calc(2, 40, [fresh, settled], [900, 800])).toMatchObject({
      replicas: 2,
      utilization: 80,
    });
  });
});

describe('rawResourceReplicas (an AverageValue target)', () => {
  it('scales by average usage over the per-pod target', () => {
    const pods = [0, 1].map((i) => pod(i, '1'));
    // 300m and 500m average 400m against 100m per pod: ×4 of 2 pods.
    expect(
      rawResourceReplicas(
        {
          current: 2,
          resource: 'cpu',
          pods,
          metrics: samples([300, 500]),
          settings: SETTINGS,
          nowMs: NOW,
        },
        100,
      ),
    ).toEqual({
      replicas: 8,
      rawAverage: 400,
    });
  });
});
