import type { NodeInfo } from '../../cache/node-info';
import type { PodInfo } from '../../cache/pod-info';
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
import { claimsOf, csiVolumeOf, lookupClaim } from './pod-volumes';

export const ERR_REASON_MAX_VOLUME_COUNT = 'node(s) exceed max volume count';

/**
 * NodeVolumeLimits (CSILimits): the CSI volumes a node would have attached, per driver, must stay
 * within `CSINode.spec.drivers[].allocatable.count`. A volume shared by pods counts once.
 */
export class NodeVolumeLimits implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = PluginNames.NodeVolumeLimits;

  constructor(private readonly listers: Listers) {}

  preFilter(_state: CycleState, pod: PodInfo): Status | undefined {
    return claimsOf(pod.pod).length === 0 ? Status.skip() : undefined;
  }

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    const newVolumes = new Map<string, string>();
    for (const claim of claimsOf(pod.pod)) {
      const pvc = lookupClaim(this.listers, pod.pod, claim);
      if (pvc instanceof Status) {
        return pvc;
      }
      const v = csiVolumeOf(this.listers, pvc);
      if (v) {
        newVolumes.set(`${v.driver}/${v.handle}`, v.driver);
      }
    }
    if (newVolumes.size === 0) {
      return undefined;
    }
    const limits = new Map<string, number>();
    for (const d of this.listers.csiNode(node.name)?.spec?.drivers ?? []) {
      const count = d.allocatable?.count;
      if (count !== undefined && count !== null) {
        limits.set(d.name, count);
      }
    }
    if (limits.size === 0) {
      return undefined;
    }
    const attached = new Map<string, string>();
    for (const existing of node.pods) {
      for (const claim of claimsOf(existing.pod)) {
        const pvc = this.listers.persistentVolumeClaim(existing.namespace, claim.name);
        const v = pvc && csiVolumeOf(this.listers, pvc);
        if (v) {
          attached.set(`${v.driver}/${v.handle}`, v.driver);
        }
      }
    }
    const attachedCount = new Map<string, number>();
    for (const [unique, driver] of attached) {
      newVolumes.delete(unique);
      attachedCount.set(driver, (attachedCount.get(driver) ?? 0) + 1);
    }
    const newCount = new Map<string, number>();
    for (const driver of newVolumes.values()) {
      newCount.set(driver, (newCount.get(driver) ?? 0) + 1);
    }
    for (const [driver, count] of newCount) {
      const max = limits.get(driver);
      if (max !== undefined && (attachedCount.get(driver) ?? 0) + count > max) {
        return Status.unschedulable(ERR_REASON_MAX_VOLUME_COUNT);
      }
    }
    return undefined;
  }

  events(): EventRegistration[] {
    return [
      { event: 'CSINode/Add' },
      { event: 'CSINode/Update' },
      { event: 'Pod/Delete' },
      { event: 'PersistentVolumeClaim/Add' },
    ];
  }
}
