import type { KubeRest } from '@app/kube-client';

interface WithFinalizers {
  metadata?: { resourceVersion?: string; finalizers?: string[] };
}

/** The object carries the finalizer. */
export const hasFinalizer = (obj: WithFinalizers, finalizer: string): boolean =>
  (obj.metadata?.finalizers ?? []).includes(finalizer);

/**
 * Adds or removes one finalizer with a merge patch guarded by the object's resourceVersion (a
 * conflict requeues the key and the next try reads the fresh object), as upstream's protection
 * controllers Update the object they read.
 */
export async function setFinalizer(
  rest: KubeRest,
  path: string,
  obj: WithFinalizers,
  finalizer: string,
  present: boolean,
): Promise<void> {
  const current = obj.metadata?.finalizers ?? [];
  const finalizers = present
    ? [...current.filter((f) => f !== finalizer), finalizer]
    : current.filter((f) => f !== finalizer);
  await rest.patch(
    path,
    { metadata: { resourceVersion: obj.metadata?.resourceVersion, finalizers } },
    'merge',
  );
}
