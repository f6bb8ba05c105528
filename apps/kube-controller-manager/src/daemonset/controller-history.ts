import type { KubeObject } from '@app/controller-runtime';
import {
  isConflict,
  type ControllerRevisionObject,
  type KubeRest,
  type PodTemplateSpec,
} from '@app/kube-client';
import { computeHash } from '../deployment/pod-template-hash';
import { newControllerRef, type OwnerKind } from '../util/owner-refs';

/** upstream apps.ControllerRevisionHashLabelKey. */
export const CONTROLLER_REVISION_HASH = 'controller-revision-hash';

export interface CurrentRevision {
  revision: ControllerRevisionObject;
  /** The hash daemon pods carry as `controller-revision-hash`. */
  hash: string;
}

/**
 * upstream controller history for DaemonSets (and StatefulSets): the template of every rollout
 * is kept as a ControllerRevision `<owner>-<hash>` with `data` = the replace patch of the
 * template and an increasing `revision`; returning to an older template bumps its revision
 * (what `kubectl rollout history/undo daemonset` read).
 */
export async function currentRevision(
  rest: KubeRest,
  owner: KubeObject & {
    spec?: { template?: PodTemplateSpec };
    status?: { collisionCount?: number };
  },
  ownerKind: OwnerKind,
  revisions: readonly ControllerRevisionObject[],
): Promise<CurrentRevision> {
  const ns = owner.metadata?.namespace ?? '';
  const name = owner.metadata?.name ?? '';
  const template = owner.spec?.template ?? {};
  // upstream always hashes a collision count here (0 until a collision), so the revision of a
  // template does not change when the status first records `collisionCount: 0`.
  const hash = computeHash(template, owner.status?.collisionCount ?? 0);
  const max = revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
  const collection = `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/controllerrevisions`;
  const existing = revisions.find((r) => r.metadata?.labels?.[CONTROLLER_REVISION_HASH] === hash);
  if (existing) {
    if ((existing.revision ?? 0) < max) {
      const bumped = await rest.patch<ControllerRevisionObject>(
        `${collection}/${encodeURIComponent(existing.metadata?.name ?? '')}`,
        { revision: max + 1 },
        'merge',
      );
      return { revision: bumped, hash };
    }
    return { revision: existing, hash };
  }
  const revision: ControllerRevisionObject = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${name}-${hash}`,
      namespace: ns,
      labels: { ...(template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH]: hash },
      ownerReferences: [newControllerRef(owner, ownerKind)],
    },
    data: { spec: { template: { ...template, $patch: 'replace' } } },
    revision: max + 1,
  };
  try {
    return { revision: await rest.create<ControllerRevisionObject>(collection, revision), hash };
  } catch (err) {
    if (!isConflict(err)) {
      throw err;
    }
    // Created by an earlier sync the cache has not shown yet.
    const found = await rest.get<ControllerRevisionObject>(
      `${collection}/${encodeURIComponent(revision.metadata!.name!)}`,
    );
    return { revision: found, hash };
  }
}
