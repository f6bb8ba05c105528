import fc from 'fast-check';
import { Indexer, type ResourceEventHandler } from '@app/controller-runtime';
import type { PodObject } from '@app/kube-client';
import { controllerRefOf } from './owner-refs';
import { podControllerUidIndex, podsOwnedByOrOrphaned } from './pods-by-owner';

const NAMESPACES = ['a', 'b'];
const OWNER_UIDS = ['uid-1', 'uid-2', 'uid-3'];

/** A pod of one of two namespaces, controlled by one of three owners, owned but not controlled, or bare. */
const podArb = fc.record({
  name: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6'),
  namespace: fc.constantFrom(...NAMESPACES),
  owner: fc.option(fc.constantFrom(...OWNER_UIDS)),
  controller: fc.boolean(),
});
type PodSpec = { name: string; namespace: string; owner: string | null; controller: boolean };

function pod(s: PodSpec): PodObject {
  return {
    metadata: {
      name: s.name,
      namespace: s.namespace,
      ownerReferences: s.owner
        ? [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: 'rs',
              uid: s.owner,
              controller: s.controller,
            },
          ]
        : undefined,
    },
  };
}

/** What the claim used to walk: every pod of the namespace that no other controller controls. */
function claimCandidates(pods: Map<string, PodObject>, uid: string, namespace: string): string[] {
  return [...pods.values()]
    .filter((p) => p.metadata?.namespace === namespace)
    .filter((p) => {
      const ref = controllerRefOf(p);
      return !ref || ref.uid === uid;
    })
    .map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)
    .sort();
}

it('finds exactly the pods a claim could keep or adopt, after any adds, updates and deletes', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ pod: podArb, deleted: fc.boolean() }), { maxLength: 40 }),
      (steps) => {
        let handler: ResourceEventHandler<PodObject> | undefined;
        const index = new Indexer<PodObject>(
          { addEventHandler: (h) => (handler = h), hasSynced: () => true },
          podControllerUidIndex,
        );
        const pods = new Map<string, PodObject>();
        for (const step of steps) {
          const next = pod(step.pod);
          const key = `${step.pod.namespace}/${step.pod.name}`;
          const old = pods.get(key);
          if (step.deleted) {
            if (old) {
              pods.delete(key);
              handler?.onDelete?.(old);
            }
          } else if (old) {
            pods.set(key, next);
            handler?.onUpdate?.(old, next);
          } else {
            pods.set(key, next);
            handler?.onAdd?.(next, false);
          }
        }
        for (const namespace of NAMESPACES) {
          for (const uid of OWNER_UIDS) {
            const found = podsOwnedByOrOrphaned(index, { metadata: { uid, namespace } })
              .map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)
              .sort();
            expect(found).toEqual(claimCandidates(pods, uid, namespace));
          }
        }
      },
    ),
  );
});
