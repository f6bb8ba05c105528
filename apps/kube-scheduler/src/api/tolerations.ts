import type { V1Taint, V1Toleration } from '@app/kube-client';

/** core/v1 Toleration.ToleratesTaint (1.32: operators Equal and Exists). */
export function toleratesTaint(t: V1Toleration, taint: V1Taint): boolean {
  if (t.effect && t.effect !== taint.effect) {
    return false;
  }
  if (t.key && t.key !== taint.key) {
    return false;
  }
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(
  tolerations: readonly V1Toleration[] | undefined,
  taint: V1Taint,
): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** v1helper.FindMatchingUntoleratedTaint: the first taint (in node order) passing `filter` that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly V1Taint[] | undefined,
  tolerations: readonly V1Toleration[] | undefined,
  filter: (t: V1Taint) => boolean,
): V1Taint | undefined {
  for (const taint of taints ?? []) {
    if (filter(taint) && !tolerationsTolerateTaint(tolerations, taint)) {
      return taint;
    }
  }
  return undefined;
}

/** helper.DoNotScheduleTaintsFilterFunc: NoSchedule and NoExecute. */
export const doNotScheduleTaint = (t: V1Taint): boolean =>
  t.effect === 'NoSchedule' || t.effect === 'NoExecute';
