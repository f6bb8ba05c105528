import { formatTime } from '@app/controller-runtime';
import type { NodeCondition, NodeObject } from '@app/kube-client';

/**
 * What the controller remembers per node (upstream nodeHealthData): its own observation times,
 * not the timestamps inside the objects, so clock skew between kubelet and controller is moot.
 */
export interface NodeHealth {
  /** When a heartbeat (changed Ready heartbeat or newer Lease renewTime) was last observed. */
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  /** The Ready condition as last seen (heartbeat and transition times matter). */
  ready?: NodeCondition;
  /** The Lease `renewTime` as last seen. */
  leaseRenewTime?: string;
}

export interface HealthTimings {
  nodeMonitorGracePeriodMs: number;
  nodeStartupGracePeriodMs: number;
}

export interface HealthEvaluation {
  health: NodeHealth;
  /** The Ready condition before this pass (a fake Unknown when the kubelet never posted one). */
  observedReady: NodeCondition;
  /** The Ready condition after this pass (undefined when the node has none and none was added). */
  currentReady: NodeCondition | undefined;
  /** Conditions to write with UpdateStatus (set when the grace period ran out and Ready changed). */
  conditionsToWrite?: NodeCondition[];
}

/** The conditions the controller marks Unknown when the kubelet goes silent (not NetworkUnavailable). */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

const readyOf = (node: NodeObject) => node.status?.conditions?.find((c) => c.type === 'Ready');
const parseTime = (t: string | undefined) => (t ? Date.parse(t) : 0);

/**
 * upstream tryUpdateNodeHealth, as a pure function of the node, what was remembered, the node's
 * Lease renewTime and now: updates the remembered probe/transition times and, when no heartbeat
 * came for the grace period (60 s startup grace while the kubelet never posted Ready, else 50 s),
 * sets Ready/MemoryPressure/DiskPressure/PIDPressure to Unknown (`NodeStatusUnknown`, "Kubelet
 * stopped posting node status."; missing ones added as `NodeStatusNeverUpdated`).
 */
export function evaluateNodeHealth(
  node: NodeObject,
  saved: NodeHealth | undefined,
  leaseRenewTime: string | undefined,
  nowMs: number,
  timings: HealthTimings,
): HealthEvaluation {
  const created = parseTime(node.metadata?.creationTimestamp);
  const current = readyOf(node);
  let gracePeriod: number;
  let observedReady: NodeCondition;
  let health = saved ? { ...saved } : undefined;
  if (!current) {
    observedReady = {
      type: 'Ready',
      status: 'Unknown',
      lastHeartbeatTime: node.metadata?.creationTimestamp,
      lastTransitionTime: node.metadata?.creationTimestamp,
    };
    gracePeriod = timings.nodeStartupGracePeriodMs;
    health = health
      ? { ...health, ready: undefined }
      : { probeTimestamp: created, readyTransitionTimestamp: created };
  } else {
    observedReady = { ...current };
    gracePeriod = timings.nodeMonitorGracePeriodMs;
  }

  const savedReady = saved?.ready;
  if (!health) {
    health = { probeTimestamp: nowMs, readyTransitionTimestamp: nowMs, ready: current };
  } else if (!savedReady && current) {
    health = { probeTimestamp: nowMs, readyTransitionTimestamp: nowMs, ready: current };
  } else if (savedReady && !current) {
    health = { probeTimestamp: nowMs, readyTransitionTimestamp: nowMs, ready: undefined };
  } else if (savedReady && current && savedReady.lastHeartbeatTime !== current.lastHeartbeatTime) {
    const transition =
      savedReady.lastTransitionTime !== current.lastTransitionTime
        ? nowMs
        : health.readyTransitionTimestamp;
    health = { probeTimestamp: nowMs, readyTransitionTimestamp: transition, ready: current };
  }
  health.leaseRenewTime = saved?.leaseRenewTime;
  // A renewed Lease is a heartbeat too (the kubelet renews it every 10 s).
  if (
    leaseRenewTime &&
    (!saved?.leaseRenewTime || microTimeBefore(saved.leaseRenewTime, leaseRenewTime))
  ) {
    health.leaseRenewTime = leaseRenewTime;
    health.probeTimestamp = nowMs;
  }

  if (nowMs <= health.probeTimestamp + gracePeriod) {
    return { health, observedReady, currentReady: current };
  }
  const now = formatTime(nowMs);
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  for (const type of MONITORED_CONDITIONS) {
    const condition = conditions.find((c) => c.type === type);
    if (!condition) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp,
        lastTransitionTime: now,
      });
    } else if (condition.status !== 'Unknown') {
      condition.status = 'Unknown';
      condition.reason = 'NodeStatusUnknown';
      condition.message = 'Kubelet stopped posting node status.';
      condition.lastTransitionTime = now;
    }
  }
  const currentReady = conditions.find((c) => c.type === 'Ready');
  if (sameCondition(currentReady, observedReady)) {
    return { health, observedReady, currentReady };
  }
  return {
    health: { ...health, readyTransitionTimestamp: nowMs, ready: currentReady },
    observedReady,
    currentReady,
    conditionsToWrite: conditions,
  };
}

function sameCondition(a: NodeCondition | undefined, b: NodeCondition): boolean {
  return (
    a !== undefined &&
    a.status === b.status &&
    (a.reason ?? '') === (b.reason ?? '') &&
    (a.message ?? '') === (b.message ?? '') &&
    a.lastHeartbeatTime === b.lastHeartbeatTime &&
    a.lastTransitionTime === b.lastTransitionTime
  );
}

/** MicroTime strings compare as instants (`…:05.123456Z` before `…:05.2Z`). */
function microTimeBefore(a: string, b: string): boolean {
  return microsOf(a) < microsOf(b);
}

function microsOf(t: string): number {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(t);
  if (!m) {
    return Date.parse(t) * 1000;
  }
  const fraction = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return Date.parse(`${m[1]}Z`) * 1000 + Number(fraction);
}
