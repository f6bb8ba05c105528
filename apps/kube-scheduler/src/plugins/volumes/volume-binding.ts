import { sleep, type Scheduler } from '@app/controller-runtime';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@app/kube-client';
import { compileNodeSelectorTerms } from '../../api/node-selector';
import { value as quantityValue } from '../../api/resources';
import { claimClass } from '@app/csi';
import type { NodeInfo } from '../../cache/node-info';
import type { SchedulerCache } from '../../cache/scheduler-cache';
import type { PodInfo } from '../../cache/pod-info';
import type {
  CycleState,
  EnqueueExtensions,
  EventRegistration,
  FilterPlugin,
  Listers,
  PreBindPlugin,
  PreFilterPlugin,
} from '../../framework/interfaces';
import { Status } from '../../framework/status';
import { PluginNames } from '../names';
import { claimsOf, lookupClaim } from './pod-volumes';

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST =
  'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';

/** VolumeBindingArgs.BindTimeoutSeconds default. */
export const BIND_TIMEOUT_MS = 600_000;
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/** The writes PreBind makes (kube-client's VolumeBindingClient fits). */
export interface VolumeApi {
  /** Sets `spec.claimRef` of a PV to the claim (static binding), at the PV's resourceVersion. */
  claimPersistentVolume(pv: V1PersistentVolume, claim: V1PersistentVolumeClaim): Promise<void>;
  /** Annotates a claim with the chosen node (delayed provisioning). */
  selectNode(namespace: string, claim: string, node: string): Promise<void>;
}

const PRE_FILTER = 'VolumeBinding/preFilter';

interface Claims {
  bound: V1PersistentVolumeClaim[];
  /** Unbound, WaitForFirstConsumer: decided per node. */
  delayed: V1PersistentVolumeClaim[];
}

type Plan = { claim: V1PersistentVolumeClaim; pv?: V1PersistentVolume }[];

const storageOf = (pvc: V1PersistentVolumeClaim) =>
  quantityValue(String(pvc.spec?.resources?.requests?.storage ?? '0'));

function pvMatchesNode(pv: V1PersistentVolume, node: NodeInfo): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  return !terms || compileNodeSelectorTerms(terms)(node.labels, node.name);
}

/**
 * VolumeBinding: claims must exist; unbound claims of an Immediate class wait for the PV
 * controller; bound volumes must be reachable from the node (PV node affinity); a
 * WaitForFirstConsumer claim needs a matching available PV on the node or a provisioner whose
 * allowed topologies include it. PreBind then binds the PV (or selects the node for
 * provisioning) and waits, up to 10 minutes, until the claims are bound.
 */
export class VolumeBinding
  implements PreFilterPlugin, FilterPlugin, PreBindPlugin, EnqueueExtensions
{
  readonly name = PluginNames.VolumeBinding;

  constructor(
    private readonly listers: Listers,
    private readonly cache: SchedulerCache,
    private readonly api?: VolumeApi,
    private readonly time?: Scheduler,
  ) {}

  preFilter(state: CycleState, pod: PodInfo): Status | undefined {
    const claims = claimsOf(pod.pod);
    if (claims.length === 0) {
      return Status.skip();
    }
    const c: Claims = { bound: [], delayed: [] };
    let immediate = false;
    for (const claim of claims) {
      const pvc = lookupClaim(this.listers, pod.pod, claim);
      if (pvc instanceof Status) {
        return pvc;
      }
      if (pvc.metadata?.deletionTimestamp) {
        return Status.unresolvable(`persistentvolumeclaim "${claim.name}" is being deleted`);
      }
      if (pvc.spec?.volumeName) {
        c.bound.push(pvc);
      } else if (
        this.listers.storageClass(claimClass(pvc))?.volumeBindingMode === 'WaitForFirstConsumer'
      ) {
        c.delayed.push(pvc);
      } else {
        immediate = true;
      }
    }
    if (immediate) {
      return Status.unresolvable(UNBOUND_IMMEDIATE);
    }
    state.set(PRE_FILTER, c);
    return undefined;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status | undefined {
    const c = state.get(PRE_FILTER) as Claims;
    for (const pvc of c.bound) {
      const pv = this.listers.persistentVolume(pvc.spec!.volumeName!);
      if (!pv) {
        return Status.unresolvable(ERR_REASON_PV_NOT_EXIST);
      }
      if (!pvMatchesNode(pv, node)) {
        return Status.unresolvable(ERR_REASON_NODE_CONFLICT);
      }
    }
    return this.plan(c.delayed, node) ? undefined : Status.unresolvable(ERR_REASON_BIND_CONFLICT);
  }

  /** findMatchingVolumes + checkVolumeProvisions for the delayed claims on `node`. */
  private plan(delayed: V1PersistentVolumeClaim[], node: NodeInfo): Plan | undefined {
    const taken = new Set<string>();
    const plan: Plan = [];
    for (const pvc of delayed) {
      const className = claimClass(pvc);
      const pv = this.listers
        .persistentVolumes()
        .filter(
          (v) =>
            !taken.has(v.metadata?.name ?? '') &&
            !v.metadata?.deletionTimestamp &&
            (!v.spec?.claimRef ||
              (v.spec.claimRef.name === pvc.metadata?.name &&
                v.spec.claimRef.namespace === pvc.metadata?.namespace)) &&
            (v.spec?.storageClassName ?? '') === className &&
            (pvc.spec?.accessModes ?? []).every((m) => v.spec?.accessModes?.includes(m)) &&
            (v.spec?.volumeMode ?? 'Filesystem') === (pvc.spec?.volumeMode ?? 'Filesystem') &&
            quantityValue(String(v.spec?.capacity?.storage ?? '0')) >= storageOf(pvc) &&
            pvMatchesNode(v, node),
        )
        // The smallest volume that fits, as the PV controller picks.
        .sort(
          (a, b) =>
            quantityValue(String(a.spec?.capacity?.storage ?? '0')) -
            quantityValue(String(b.spec?.capacity?.storage ?? '0')),
        )[0];
      if (pv) {
        taken.add(pv.metadata?.name ?? '');
        plan.push({ claim: pvc, pv });
        continue;
      }
      const sc = this.listers.storageClass(className);
      if (!sc?.provisioner || sc.provisioner === NO_PROVISIONER) {
        return undefined;
      }
      const allowed = sc.allowedTopologies ?? [];
      const fits =
        allowed.length === 0 ||
        allowed.some((t) =>
          (t.matchLabelExpressions ?? []).every((e) =>
            (e.values ?? []).includes(node.labels?.[e.key] ?? '\u0000'),
          ),
        );
      if (!fits) {
        return undefined;
      }
      plan.push({ claim: pvc });
    }
    return plan;
  }

  async preBind(
    state: CycleState,
    _pod: PodInfo,
    nodeName: string,
    signal: AbortSignal,
  ): Promise<Status | undefined> {
    const c = state.get(PRE_FILTER) as Claims | undefined;
    if (!c || c.delayed.length === 0 || !this.api || !this.time) {
      return undefined;
    }
    const node = this.cache.nodeInfo(nodeName);
    const plan = node && this.plan(c.delayed, node);
    if (!plan) {
      return Status.error(`binding volumes: ${ERR_REASON_BIND_CONFLICT}`);
    }
    for (const step of plan) {
      if (step.pv) {
        await this.api.claimPersistentVolume(step.pv, step.claim);
      } else {
        await this.api.selectNode(
          step.claim.metadata!.namespace!,
          step.claim.metadata!.name!,
          nodeName,
        );
      }
    }
    const deadline = this.time.now() + BIND_TIMEOUT_MS;
    while (this.time.now() < deadline) {
      const allBound = plan.every(
        (s) =>
          !!this.listers.persistentVolumeClaim(
            s.claim.metadata!.namespace!,
            s.claim.metadata!.name!,
          )?.spec?.volumeName,
      );
      if (allBound) {
        return undefined;
      }
      if (!(await sleep(this.time, 1000, signal))) {
        return Status.error('binding volumes: the scheduler is stopping');
      }
    }
    return Status.error('binding volumes: timed out waiting for the condition');
  }

  events(): EventRegistration[] {
    return [
      { event: 'PersistentVolumeClaim/Add' },
      { event: 'PersistentVolumeClaim/Update' },
      { event: 'PersistentVolume/Add' },
      { event: 'PersistentVolume/Update' },
      { event: 'StorageClass/Add' },
      { event: 'StorageClass/Update' },
      { event: 'CSINode/Add' },
      { event: 'CSINode/Update' },
      { event: 'Node/Add' },
      { event: 'Node/Update' },
    ];
  }
}
