import type { PodObject } from '@app/kube-client';

/** upstream IsPodActive: not terminal and not being deleted. */
export function isPodActive(pod: PodObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** upstream podutil.IsPodReady: condition Ready True. */
export function isPodReady(pod: PodObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

function readyCondition(pod: PodObject) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** When the pod last turned Ready (epoch ms), if it is ready. */
export function readySince(pod: PodObject): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True') {
    return undefined;
  }
  const t = Date.parse(c.lastTransitionTime ?? '');
  return Number.isNaN(t) ? undefined : t;
}

/** upstream podutil.IsPodAvailable: ready for at least `minReadySeconds` at `now`. */
export function isPodAvailable(pod: PodObject, minReadySeconds: number, now: number): boolean {
  if (minReadySeconds <= 0) {
    // Ready is enough; upstream reads no transition time then.
    return isPodReady(pod);
  }
  const since = readySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

/**
 * For a controller with `minReadySeconds`: how long until the next ready-but-not-yet-available
 * pod becomes available (undefined when none is waiting). Reconcilers requeue after it.
 */
export function nextAvailableInMs(
  pods: readonly PodObject[],
  minReadySeconds: number,
  now: number,
): number | undefined {
  if (minReadySeconds <= 0) {
    return undefined;
  }
  let next: number | undefined;
  for (const pod of pods) {
    const since = readySince(pod);
    if (since === undefined) {
      continue;
    }
    const wait = since + minReadySeconds * 1000 - now;
    if (wait > 0 && (next === undefined || wait < next)) {
      next = wait;
    }
  }
  return next === undefined ? undefined : next + 1;
}

export function podKey(pod: PodObject): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}
