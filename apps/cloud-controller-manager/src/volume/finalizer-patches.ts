/*
 * RFC 6902 JSON patches that add or remove exactly one finalizer (external-attacher util.go):
 * unlike a merge patch built from a cached copy, they never re-add a finalizer another
 * controller just removed (kubernetes-csi/external-provisioner#1217), and the `test` makes a
 * concurrent change fail with 422 so the caller retries from a fresh read.
 */

export type JsonPatch = {
  op: 'test' | 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}[];

export function addFinalizerPatch(existing: string[] | undefined, finalizer: string): JsonPatch {
  if (existing === undefined) {
    return [
      { op: 'test', path: '/metadata/finalizers', value: null },
      { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
    ];
  }
  if (existing.length === 0) {
    return [
      { op: 'test', path: '/metadata/finalizers', value: [] },
      { op: 'replace', path: '/metadata/finalizers', value: [finalizer] },
    ];
  }
  return [{ op: 'add', path: '/metadata/finalizers/-', value: finalizer }];
}

/** Undefined when the finalizer is not there (nothing to remove). */
export function removeFinalizerPatch(
  existing: string[] | undefined,
  finalizer: string,
): JsonPatch | undefined {
  const index = (existing ?? []).indexOf(finalizer);
  if (index < 0) {
    return undefined;
  }
  const path = `/metadata/finalizers/${index}`;
  return [
    { op: 'test', path, value: finalizer },
    { op: 'remove', path },
  ];
}
