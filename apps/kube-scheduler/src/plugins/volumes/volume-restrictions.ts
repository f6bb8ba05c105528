import type { PodInfo } from '../../cache/pod-info';
import type { SchedulerCache } from '../../cache/scheduler-cache';
import type {
  CycleState,
  EnqueueExtensions,
  EventRegistration,
  FilterPlugin,
  Listers,
  PreFilterPlugin,
} from '../../framework/interfaces';
import { Status } from '../../framework/status';
import { PluginNames } from '../names';
import { claimsOf, lookupClaim } from './pod-volumes';

export const ERR_REASON_RWOP_CONFLICT =
  'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

const PRE_FILTER = 'VolumeRestrictions/preFilter';

/**
 * VolumeRestrictions: a ReadWriteOncePod claim may be used by one pod in the whole cluster.
 * (The in-tree disk conflicts — GCE PD, EBS, RBD, iSCSI inline volumes — have no Nimbus use.)
 */
export class VolumeRestrictions implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = PluginNames.VolumeRestrictions;

  constructor(
    private readonly cache: SchedulerCache,
    private readonly listers: Listers,
  ) {}

  preFilter(state: CycleState, pod: PodInfo): Status | undefined {
    const claims = claimsOf(pod.pod);
    if (claims.length === 0) {
      return Status.skip();
    }
    const rwop = new Set<string>();
    for (const claim of claims) {
      const pvc = lookupClaim(this.listers, pod.pod, claim);
      if (pvc instanceof Status) {
        return pvc;
      }
      if (pvc.spec?.accessModes?.includes('ReadWriteOncePod')) {
        rwop.add(claim.name);
      }
    }
    if (rwop.size === 0) {
      return Status.skip();
    }
    let conflicts = 0;
    for (const node of this.cache.nodeList()) {
      for (const other of node.pods) {
        if (other.uid !== pod.uid && other.namespace === pod.namespace) {
          conflicts += claimsOf(other.pod).filter((c) => rwop.has(c.name)).length;
        }
      }
    }
    if (conflicts === 0) {
      return Status.skip();
    }
    state.set(PRE_FILTER, conflicts);
    return undefined;
  }

  filter(): Status | undefined {
    return Status.unschedulable(ERR_REASON_RWOP_CONFLICT);
  }

  events(): EventRegistration[] {
    return [
      { event: 'Pod/Delete' },
      { event: 'PersistentVolumeClaim/Add' },
      { event: 'PersistentVolumeClaim/Update' },
    ];
  }
}
