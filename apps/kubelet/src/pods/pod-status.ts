import type { PodCondition, PodObject } from '@app/kube-client';
import type { SimContainer } from './container-state';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** Conditions the kubelet owns, in the order it writes them (kubelet_pods.go). */
export const KUBELET_CONDITIONS = [
  'PodReadyToStartContainers',
  'Initialized',
  'Ready',
  'ContainersReady',
  'PodScheduled',
] as const;

/** upstream kubelet getPhase (regular init containers; sidecars are run as regular ones). */
export function podPhaseOf(
  restartPolicy: string,
  init: readonly SimContainer[],
  containers: readonly SimContainer[],
  podIsTerminal: boolean,
): PodPhase {
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of init) {
    if (c.state.kind === 'running') {
      pendingInitialization++;
    } else if (c.state.kind === 'terminated') {
      if (c.state.info.exitCode !== 0) {
        failedInitialization++;
      }
    } else if (c.lastTerminated) {
      if (c.lastTerminated.exitCode !== 0) {
        failedInitialization++;
      }
    } else {
      pendingInitialization++;
    }
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of containers) {
    if (c.state.kind === 'running') {
      running++;
    } else if (c.state.kind === 'terminated') {
      stopped++;
      if (c.state.info.exitCode === 0) {
        succeeded++;
      }
    } else if (c.lastTerminated) {
      stopped++;
    } else {
      waiting++;
    }
  }
  if (failedInitialization > 0 && restartPolicy === 'Never') {
    return 'Failed';
  }
  const anyRegularStarted = containers.some((c) => c.created);
  if ((pendingInitialization > 0 && !anyRegularStarted) || waiting > 0) {
    return podIsTerminal ? 'Failed' : 'Pending';
  }
  if (running > 0) {
    return 'Running';
  }
  if (stopped > 0) {
    if (podIsTerminal) {
      return stopped === succeeded ? 'Succeeded' : 'Failed';
    }
    if (restartPolicy === 'Always') {
      return 'Running';
    }
    if (stopped === succeeded) {
      return 'Succeeded';
    }
    return restartPolicy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

type ConditionCore = Pick<PodCondition, 'type' | 'status' | 'reason' | 'message'>;

/** upstream status.GenerateContainersReadyCondition / GeneratePodReadyCondition (1.32). */
function readiness(
  type: 'Ready' | 'ContainersReady',
  containers: readonly SimContainer[],
  phase: PodPhase,
  readinessGates: readonly string[],
  conditions: readonly PodCondition[],
): ConditionCore {
  if (phase === 'Succeeded') {
    return { type, status: 'False', reason: 'PodCompleted' };
  }
  if (phase === 'Failed') {
    return { type, status: 'False', reason: 'PodFailed' };
  }
  const unready = containers.filter((c) => !c.ready).map((c) => c.name);
  if (unready.length > 0) {
    return {
      type,
      status: 'False',
      reason: 'ContainersNotReady',
      message: `containers with unready status: [${unready.join(' ')}]`,
    };
  }
  if (type === 'Ready') {
    const gates = readinessGates.flatMap((gate) => {
      const c = conditions.find((x) => x.type === gate);
      if (!c) {
        return [`corresponding condition of pod readiness gate "${gate}" does not exist.`];
      }
      return c.status === 'True'
        ? []
        : [`the status of pod readiness gate "${gate}" is not "True", but ${c.status}`];
    });
    if (gates.length > 0) {
      return { type, status: 'False', reason: 'ReadinessGatesNotReady', message: gates.join(', ') };
    }
  }
  return { type, status: 'True' };
}

/** upstream status.GeneratePodInitializedCondition (regular init containers). */
function initialized(
  init: readonly SimContainer[],
  containers: readonly SimContainer[],
  phase: PodPhase,
): ConditionCore {
  if (phase === 'Succeeded') {
    return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  }
  if (containers.some((c) => c.created)) {
    return { type: 'Initialized', status: 'True' };
  }
  const incomplete = init.filter((c) => !c.ready).map((c) => c.name);
  if (incomplete.length > 0) {
    return {
      type: 'Initialized',
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: `containers with incomplete status: [${incomplete.join(' ')}]`,
    };
  }
  return { type: 'Initialized', status: 'True' };
}

export interface ConditionInputs {
  pod: PodObject;
  phase: PodPhase;
  sandboxReady: boolean;
  init: readonly SimContainer[];
  containers: readonly SimContainer[];
}

/** The five kubelet-owned conditions, in order, without times. */
export function kubeletConditions(inputs: ConditionInputs): ConditionCore[] {
  const { pod, phase, init, containers } = inputs;
  const gates = (pod.spec?.readinessGates ?? []).map((g) => g.conditionType);
  const existing = pod.status?.conditions ?? [];
  return [
    { type: 'PodReadyToStartContainers', status: inputs.sandboxReady ? 'True' : 'False' },
    initialized(init, containers, phase),
    readiness('Ready', containers, phase, gates, existing),
    readiness('ContainersReady', containers, phase, gates, existing),
    { type: 'PodScheduled', status: 'True' },
  ];
}

/**
 * The pod's conditions as the kubelet writes them: conditions it does not own first (kept as
 * they are: DisruptionTarget, readiness gates), then its own five; `lastTransitionTime` moves only
 * when a condition's status changes (`previous` = what it wrote last).
 */
export function withTimes(
  pod: PodObject,
  own: readonly ConditionCore[],
  previous: ReadonlyMap<string, { status: string; lastTransitionTime: string }>,
  now: string,
): PodCondition[] {
  const owned = new Set<string>(KUBELET_CONDITIONS);
  const foreign = (pod.status?.conditions ?? []).filter((c) => !owned.has(c.type));
  const mine = own.map((c) => {
    const before = previous.get(c.type);
    const lastTransitionTime =
      before && before.status === c.status ? before.lastTransitionTime : now;
    return {
      type: c.type,
      status: c.status,
      lastProbeTime: null,
      lastTransitionTime,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    } as unknown as PodCondition;
  });
  return [...foreign, ...mine];
}
