import type { V1PersistentVolume } from '@app/kube-client';
import { claimClass } from '@app/csi';
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
import { claimsOf, lookupClaim } from './pod-volumes';

export const ERR_REASON_VOLUME_ZONE = 'node(s) had no available volume zone';

const TOPOLOGY_LABELS = [
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
];
const GA: Record<string, string> = {
  'failure-domain.beta.kubernetes.io/zone': 'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region': 'topology.kubernetes.io/region',
};

const PRE_FILTER = 'VolumeZone/preFilter';

interface Topology {
  key: string;
  values: Set<string>;
}

function topologiesOf(pv: V1PersistentVolume): Topology[] {
  const labels = pv.metadata?.labels ?? {};
  return TOPOLOGY_LABELS.filter((k) => labels[k] !== undefined).map((key) => ({
    key,
    // volumehelpers.LabelZonesToSet: multi-zone volumes list zones joined by "__".
    values: new Set(labels[key].split('__')),
  }));
}

/** VolumeZone: a bound volume's zone/region labels must match the node's. */
export class VolumeZone implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = PluginNames.VolumeZone;

  constructor(private readonly listers: Listers) {}

  preFilter(state: CycleState, pod: PodInfo): Status | undefined {
    const claims = claimsOf(pod.pod);
    if (claims.length === 0) {
      return Status.skip();
    }
    const topologies: Topology[] = [];
    for (const claim of claims) {
      const pvc = lookupClaim(this.listers, pod.pod, claim);
      if (pvc instanceof Status) {
        return pvc;
      }
      const pvName = pvc.spec?.volumeName;
      if (!pvName) {
        const className = claimClass(pvc);
        if (!className) {
          return Status.unresolvable('PersistentVolumeClaim had no pv name and storageClass name');
        }
        const sc = this.listers.storageClass(className);
        if (!sc) {
          return Status.unresolvable(`storageclass.storage.k8s.io "${className}" not found`);
        }
        if (sc.volumeBindingMode === 'WaitForFirstConsumer') {
          continue;
        }
        return Status.unresolvable('PersistentVolume had no name');
      }
      const pv = this.listers.persistentVolume(pvName);
      if (!pv) {
        return Status.unresolvable(`persistentvolume "${pvName}" not found`);
      }
      topologies.push(...topologiesOf(pv));
    }
    if (topologies.length === 0) {
      return Status.skip();
    }
    state.set(PRE_FILTER, topologies);
    return undefined;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status | undefined {
    const topologies = state.get(PRE_FILTER) as Topology[];
    const labels = node.labels ?? {};
    // A node without any zone/region label (single-zone clusters) is fine.
    if (!TOPOLOGY_LABELS.some((k) => labels[k] !== undefined)) {
      return undefined;
    }
    for (const t of topologies) {
      const value = labels[t.key] ?? (GA[t.key] ? labels[GA[t.key]] : undefined);
      if (value === undefined || !t.values.has(value)) {
        return Status.unresolvable(ERR_REASON_VOLUME_ZONE);
      }
    }
    return undefined;
  }

  events(): EventRegistration[] {
    return [
      { event: 'Node/Add' },
      { event: 'Node/Update' },
      { event: 'PersistentVolumeClaim/Add' },
      { event: 'PersistentVolumeClaim/Update' },
      { event: 'PersistentVolume/Add' },
      { event: 'PersistentVolume/Update' },
      { event: 'StorageClass/Add' },
    ];
  }
}
