import { formatTime } from '@app/controller-runtime';
import type { NodeCondition } from '@app/kube-client';

/** The kubelet's Ready=False message until the network plugin has a pod CIDR to work with. */
export const NETWORK_NOT_READY_MESSAGE =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

interface Healthy {
  type: string;
  reason: string;
  message: string;
  /** The event recorded when the condition is first set or returns to healthy. */
  event: string;
}

/** The pressure conditions, healthy (the simulated nodes never run short). */
const PRESSURE: Healthy[] = [
  {
    type: 'MemoryPressure',
    reason: 'KubeletHasSufficientMemory',
    message: 'kubelet has sufficient memory available',
    event: 'NodeHasSufficientMemory',
  },
  {
    type: 'DiskPressure',
    reason: 'KubeletHasNoDiskPressure',
    message: 'kubelet has no disk pressure',
    event: 'NodeHasNoDiskPressure',
  },
  {
    type: 'PIDPressure',
    reason: 'KubeletHasSufficientPID',
    message: 'kubelet has sufficient PID available',
    event: 'NodeHasSufficientPID',
  },
];

export interface ConditionsResult {
  conditions: NodeCondition[];
  /** Node status events to record (`NodeHasSufficientMemory`, `NodeReady`, …), in order. */
  events: string[];
}

/**
 * The kubelet's condition setters (MemoryPressure, DiskPressure, PIDPressure, Ready — in that
 * order, pkg/kubelet/nodestatus/setters.go) applied to the node's current conditions: every
 * heartbeat time is `now`; a transition time moves only when the status changes; conditions the
 * kubelet does not own (NetworkUnavailable from the route controller) are kept in place.
 * Events: a pressure condition becoming healthy (also when first set), Ready changing status
 * (not when first set), as upstream records them.
 */
export function kubeletNodeConditions(
  current: readonly NodeCondition[] | undefined,
  networkReady: boolean,
  nowMs: number,
): ConditionsResult {
  const now = formatTime(nowMs);
  const conditions = (current ?? []).map((c) => ({ ...c }));
  const events: string[] = [];
  for (const p of PRESSURE) {
    let c = conditions.find((x) => x.type === p.type);
    if (!c) {
      c = { type: p.type, status: 'Unknown', lastTransitionTime: now };
      conditions.push(c);
    }
    if (c.status !== 'False') {
      c.status = 'False';
      c.lastTransitionTime = now;
      events.push(p.event);
    }
    c.reason = p.reason;
    c.message = p.message;
    c.lastHeartbeatTime = now;
  }
  const ready: NodeCondition = networkReady
    ? {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
      }
    : {
        type: 'Ready',
        status: 'False',
        reason: 'KubeletNotReady',
        message: NETWORK_NOT_READY_MESSAGE,
      };
  ready.lastHeartbeatTime = now;
  const index = conditions.findIndex((c) => c.type === 'Ready');
  if (index < 0) {
    conditions.push({ ...ready, lastTransitionTime: now });
  } else {
    const before = conditions[index];
    const changed = before.status !== ready.status;
    conditions[index] = {
      ...ready,
      lastTransitionTime: changed ? now : before.lastTransitionTime,
    };
    if (changed) {
      events.push(ready.status === 'True' ? 'NodeReady' : 'NodeNotReady');
    }
  }
  return { conditions: ordered(conditions), events };
}

const OWN_ORDER = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'];

/** Kubelet-owned conditions in setter order; others keep their relative place after them. */
function ordered(conditions: NodeCondition[]): NodeCondition[] {
  const own = OWN_ORDER.map((t) => conditions.find((c) => c.type === t)).filter(
    (c): c is NodeCondition => c !== undefined,
  );
  const other = conditions.filter((c) => !OWN_ORDER.includes(c.type));
  return [...own, ...other];
}

/** Status changed in a way worth writing (heartbeat times ignored: nodeStatusHasChanged). */
export function conditionsChanged(
  a: readonly NodeCondition[] | undefined,
  b: readonly NodeCondition[] | undefined,
): boolean {
  const strip = (list: readonly NodeCondition[] | undefined) =>
    JSON.stringify(
      (list ?? [])
        .map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '', c.lastTransitionTime ?? ''])
        .sort(),
    );
  return strip(a) !== strip(b);
}
