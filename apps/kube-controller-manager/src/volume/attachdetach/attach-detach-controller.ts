import {
  ANN_CONTROLLER_MANAGED_ATTACH_DETACH,
  csiUniqueVolumeName,
  volumeAttachmentName,
} from '@app/csi';
import {
  Controller,
  EventType,
  Indexer,
  isDeletedFinalStateUnknown,
  type EventRecorder,
  type Logger,
  type ReconcileResult,
  type Scheduler,
} from '@app/controller-runtime';
import {
  isConflict,
  isNotFound,
  type CsiDriverObject,
  type InformerAdapter,
  type KubeRest,
  type NodeObject,
  type PersistentVolumeClaimObject,
  type PersistentVolumeObject,
  type PodObject,
  type VolumeAttachmentObject,
} from '@app/kube-client';

/** upstream maxWaitForUnmountDuration: detach anyway after the kubelet kept it in use this long. */
export const MAX_WAIT_FOR_UNMOUNT_MS = 6 * 60_000;
/** How often a node waiting for an attach or an unmount is looked at again. */
const RECHECK_MS = 2_000;

export interface AttachDetachDeps {
  rest: KubeRest;
  nodes: InformerAdapter<NodeObject>;
  pods: InformerAdapter<PodObject>;
  podsByNode: Indexer<PodObject>;
  podsByNamespace: Indexer<PodObject>;
  claims: InformerAdapter<PersistentVolumeClaimObject>;
  volumes: InformerAdapter<PersistentVolumeObject>;
  attachments: InformerAdapter<VolumeAttachmentObject>;
  drivers: InformerAdapter<CsiDriverObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  now(): number;
  logger: Logger;
}

/** A CSI volume a node should have attached, and the pods that need it. */
interface WantedVolume {
  pv: PersistentVolumeObject;
  driver: string;
  handle: string;
  pods: PodObject[];
}

const isTerminal = (pod: PodObject) =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const exclusive = (pv: PersistentVolumeObject) =>
  !(pv.spec?.accessModes ?? []).some((m) => m === 'ReadWriteMany' || m === 'ReadOnlyMany');
const attachmentPath = (name: string) =>
  `/apis/storage.k8s.io/v1/volumeattachments/${encodeURIComponent(name)}`;

/**
 * upstream pkg/controller/volume/attachdetach (`attachdetach-controller`) for CSI volumes: for
 * every node whose kubelet lets the controller attach (`volumes.kubernetes.io/controller-managed-
 * attach-detach`), a VolumeAttachment `csi-<sha256>` per CSI volume its scheduled pods use (the
 * external attacher does the attaching), deleted once no pod there uses the volume and the
 * kubelet no longer reports it in `status.volumesInUse` (or after 6 minutes); the attached ones
 * in `node.status.volumesAttached`; pod events `SuccessfulAttachVolume`, `FailedAttachVolume`.
 */
export class AttachDetachController {
  private readonly controller: Controller;
  private readonly attachmentsByNode: Indexer<VolumeAttachmentObject>;
  /** Events already recorded, so a resync does not repeat them: `<pod uid>/<pv>` → message. */
  private readonly reported = new Map<string, string>();
  /** Since when a volume no pod needs has been kept in use by the kubelet: VA name → ms. */
  private readonly unusedSince = new Map<string, number>();

  constructor(private readonly deps: AttachDetachDeps) {
    this.attachmentsByNode = new Indexer(deps.attachments, (va) =>
      va.spec?.nodeName ? [va.spec.nodeName] : [],
    );
    this.controller = new Controller({
      name: 'attachdetach-controller',
      queueName: 'attachdetach',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (node) => this.syncNode(node),
      waitFor: [deps.pods, deps.claims, deps.volumes, deps.attachments, deps.drivers],
    });
    this.controller.watch(deps.nodes, { update: (a, b) => nodeMatters(a, b) });
    const byNode = (nodeName: string | undefined) => {
      if (nodeName) {
        this.controller.enqueueKey(nodeName);
      }
    };
    const unwrap = <T>(obj: T | { kind: 'DeletedFinalStateUnknown'; obj: T }): T =>
      isDeletedFinalStateUnknown(obj as never) ? (obj as { obj: T }).obj : (obj as T);
    deps.pods.addEventHandler({
      onAdd: (pod) => byNode(pod.spec?.nodeName),
      onUpdate: (_old, pod) => byNode(pod.spec?.nodeName),
      onDelete: (pod) => {
        const gone = unwrap(pod);
        byNode(gone.spec?.nodeName);
        for (const key of [...this.reported.keys()]) {
          if (key.startsWith(`${gone.metadata?.uid}/`)) {
            this.reported.delete(key);
          }
        }
      },
    });
    deps.attachments.addEventHandler({
      onAdd: (va) => byNode(va.spec?.nodeName),
      onUpdate: (_old, va) => byNode(va.spec?.nodeName),
      onDelete: (va) => byNode(unwrap(va).spec?.nodeName),
    });
    // A claim binding (or its volume appearing) lets the nodes of its pods attach it.
    const claimChanged = (namespace: string | undefined, name: string | undefined) => {
      for (const pod of deps.podsByNamespace.byIndex(namespace ?? '')) {
        if ((pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === name)) {
          byNode(pod.spec?.nodeName);
        }
      }
    };
    deps.claims.addEventHandler({
      onAdd: (c) => claimChanged(c.metadata?.namespace, c.metadata?.name),
      onUpdate: (_old, c) => claimChanged(c.metadata?.namespace, c.metadata?.name),
    });
    deps.volumes.addEventHandler({
      onAdd: (pv) => claimChanged(pv.spec?.claimRef?.namespace, pv.spec?.claimRef?.name),
      onUpdate: (_old, pv) => claimChanged(pv.spec?.claimRef?.namespace, pv.spec?.claimRef?.name),
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  private async syncNode(nodeName: string): Promise<ReconcileResult | void> {
    const node = this.deps.nodes.get(nodeName);
    const managed = node?.metadata?.annotations?.[ANN_CONTROLLER_MANAGED_ATTACH_DETACH] === 'true';
    const wanted = node && managed ? this.wantedVolumes(nodeName) : new Map<string, WantedVolume>();
    let waiting = false;
    for (const [vaName, want] of wanted) {
      waiting = (await this.attach(nodeName, vaName, want)) || waiting;
    }
    for (const va of this.attachmentsByNode.byIndex(nodeName)) {
      const name = va.metadata?.name ?? '';
      if (
        wanted.has(name) ||
        va.metadata?.deletionTimestamp ||
        !va.spec?.source?.persistentVolumeName
      ) {
        this.unusedSince.delete(name);
        continue;
      }
      waiting = (await this.detach(node, va)) || waiting;
    }
    if (node && managed) {
      await this.reportAttached(node);
    }
    return waiting ? { requeueAfter: RECHECK_MS } : undefined;
  }

  /** The desired state of world for a node: CSI volumes of its running pods' bound claims. */
  private wantedVolumes(nodeName: string): Map<string, WantedVolume> {
    const wanted = new Map<string, WantedVolume>();
    for (const pod of this.deps.podsByNode.byIndex(nodeName)) {
      if (isTerminal(pod)) {
        continue;
      }
      for (const volume of pod.spec?.volumes ?? []) {
        const claimName = volume.persistentVolumeClaim?.claimName;
        const claim = claimName
          ? this.deps.claims.get(`${pod.metadata?.namespace ?? ''}/${claimName}`)
          : undefined;
        const pvName = claim?.status?.phase === 'Bound' ? claim.spec?.volumeName : undefined;
        const pv = pvName ? this.deps.volumes.get(pvName) : undefined;
        const csi = pv?.spec?.csi;
        if (!pv || !csi?.driver || !csi.volumeHandle) {
          continue;
        }
        // A driver without a CSIDriver object needs attaching (csi_plugin.go skipAttach).
        if (this.deps.drivers.get(csi.driver)?.spec?.attachRequired === false) {
          continue;
        }
        const name = volumeAttachmentName(csi.volumeHandle, csi.driver, nodeName);
        const entry = wanted.get(name) ?? {
          pv,
          driver: csi.driver,
          handle: csi.volumeHandle,
          pods: [],
        };
        entry.pods.push(pod);
        wanted.set(name, entry);
      }
    }
    return wanted;
  }

  /** Creates the VolumeAttachment, or reports how it went. True while the attach is pending. */
  private async attach(nodeName: string, vaName: string, want: WantedVolume): Promise<boolean> {
    const pvName = want.pv.metadata?.name ?? '';
    const va = this.deps.attachments.get(vaName);
    if (!va) {
      const elsewhere = exclusive(want.pv)
        ? this.deps.attachments
            .list()
            .find(
              (other) =>
                other.spec?.source?.persistentVolumeName === pvName &&
                other.spec?.nodeName !== nodeName,
            )
        : undefined;
      if (elsewhere) {
        // reportMultiAttachError: a ReadWriteOnce volume still attached to another node.
        this.podEvents(
          want,
          EventType.Warning,
          'FailedAttachVolume',
          `Multi-Attach error for volume "${pvName}" Volume is already exclusively attached to one node and can't be attached to another`,
        );
        return true;
      }
      try {
        await this.deps.rest.create('/apis/storage.k8s.io/v1/volumeattachments', {
          apiVersion: 'storage.k8s.io/v1',
          kind: 'VolumeAttachment',
          metadata: { name: vaName },
          spec: { attacher: want.driver, nodeName, source: { persistentVolumeName: pvName } },
        });
      } catch (err) {
        if (!isConflict(err)) {
          throw err;
        }
      }
      return true;
    }
    if (va.status?.attached && !va.metadata?.deletionTimestamp) {
      this.podEvents(
        want,
        EventType.Normal,
        'SuccessfulAttachVolume',
        `AttachVolume.Attach succeeded for volume "${pvName}" `,
      );
      return false;
    }
    const error = va.status?.attachError?.message;
    if (error) {
      this.podEvents(
        want,
        EventType.Warning,
        'FailedAttachVolume',
        `AttachVolume.Attach failed for volume "${pvName}" : ${error}`,
      );
    }
    return true;
  }

  /**
   * Deletes a VolumeAttachment no pod on the node needs, unless the kubelet still reports the
   * volume in use (it is unmounting), for at most 6 minutes. True while it waits.
   */
  private async detach(node: NodeObject | undefined, va: VolumeAttachmentObject): Promise<boolean> {
    const name = va.metadata?.name ?? '';
    const pv = this.deps.volumes.get(va.spec?.source?.persistentVolumeName ?? '');
    const unique =
      pv?.spec?.csi?.volumeHandle &&
      csiUniqueVolumeName(va.spec?.attacher ?? '', pv.spec.csi.volumeHandle);
    if (unique && node?.status?.volumesInUse?.includes(unique)) {
      const since = this.unusedSince.get(name) ?? this.deps.now();
      this.unusedSince.set(name, since);
      if (this.deps.now() - since < MAX_WAIT_FOR_UNMOUNT_MS) {
        return true;
      }
      this.deps.logger.warn(
        { volumeAttachment: name, node: node.metadata?.name },
        'maxWaitForUnmountDuration expired, detaching a volume the node still reports in use',
      );
    }
    this.unusedSince.delete(name);
    try {
      await this.deps.rest.delete(attachmentPath(name));
    } catch (err) {
      if (!isNotFound(err)) {
        throw err;
      }
    }
    return false;
  }

  /** `node.status.volumesAttached`: the node's attached CSI volumes (actual state of world). */
  private async reportAttached(node: NodeObject): Promise<void> {
    const attached = this.attachmentsByNode
      .byIndex(node.metadata?.name ?? '')
      .filter((va) => va.status?.attached)
      .flatMap((va) => {
        const handle = this.deps.volumes.get(va.spec?.source?.persistentVolumeName ?? '')?.spec?.csi
          ?.volumeHandle;
        return handle
          ? [{ name: csiUniqueVolumeName(va.spec?.attacher ?? '', handle), devicePath: '' }]
          : [];
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    const current = [...(node.status?.volumesAttached ?? [])].sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    if (JSON.stringify(current) === JSON.stringify(attached)) {
      return;
    }
    await this.deps.rest.patch(
      `/api/v1/nodes/${encodeURIComponent(node.metadata?.name ?? '')}/status`,
      { status: { volumesAttached: attached.length > 0 ? attached : null } },
      'merge',
    );
  }

  /** One event per pod and message (a resync does not repeat it). */
  private podEvents(want: WantedVolume, type: EventType, reason: string, message: string): void {
    for (const pod of want.pods) {
      const key = `${pod.metadata?.uid}/${want.pv.metadata?.name}`;
      if (this.reported.get(key) === message) {
        continue;
      }
      this.reported.set(key, message);
      this.deps.recorder.event(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: pod.metadata?.namespace,
          name: pod.metadata?.name,
          uid: pod.metadata?.uid,
        },
        type,
        reason,
        message,
      );
    }
  }
}

/** Node updates that matter: the attach/detach annotation or the volumes the kubelet uses. */
function nodeMatters(a: NodeObject, b: NodeObject): boolean {
  return (
    a.metadata?.annotations?.[ANN_CONTROLLER_MANAGED_ATTACH_DETACH] !==
      b.metadata?.annotations?.[ANN_CONTROLLER_MANAGED_ATTACH_DETACH] ||
    JSON.stringify(a.status?.volumesInUse ?? []) !== JSON.stringify(b.status?.volumesInUse ?? []) ||
    JSON.stringify(a.status?.volumesAttached ?? []) !==
      JSON.stringify(b.status?.volumesAttached ?? [])
  );
}
