import { isDeletedFinalStateUnknown } from '@app/controller-runtime';
import type { EndpointSliceObject, InformerAdapter } from '@app/kube-client';

export interface TargetedPort {
  port: number;
  protocol: 'TCP' | 'UDP';
}

/**
 * The ports Services send to each pod (EndpointSlice endpoints whose `targetRef` is the pod),
 * so the pod responder answers there too: a real nginx listens on 80 whether or not the pod spec
 * declares it, and `kubectl create deployment web --image=nginx` declares nothing, yet
 * `kubectl expose deployment web --port=80` must reach it.
 */
export class TargetedPorts {
  /** slice key → pod uid → ports. */
  private readonly bySlice = new Map<string, Map<string, TargetedPort[]>>();

  constructor(
    slices: InformerAdapter<EndpointSliceObject>,
    /** Pods whose targeted ports may have changed. */
    private readonly changed: (podUids: string[]) => void,
  ) {
    slices.addEventHandler({
      onAdd: (s) => this.update(s),
      onUpdate: (_old, s) => this.update(s),
      onDelete: (s) => this.remove(isDeletedFinalStateUnknown(s) ? s.obj : s),
    });
  }

  /** The ports any Service targets on the pod. */
  portsOf(podUid: string): TargetedPort[] {
    const seen = new Map<string, TargetedPort>();
    for (const pods of this.bySlice.values()) {
      for (const p of pods.get(podUid) ?? []) {
        seen.set(`${p.protocol}/${p.port}`, p);
      }
    }
    return [...seen.values()];
  }

  private update(slice: EndpointSliceObject): void {
    const key = sliceKey(slice);
    const before = this.bySlice.get(key);
    const after = new Map<string, TargetedPort[]>();
    const ports = (slice.ports ?? []).flatMap((p) =>
      p.port && (p.protocol ?? 'TCP') !== 'SCTP'
        ? [{ port: p.port, protocol: (p.protocol ?? 'TCP') as 'TCP' | 'UDP' }]
        : [],
    );
    for (const e of slice.endpoints ?? []) {
      const uid = e.targetRef?.kind === 'Pod' ? e.targetRef.uid : undefined;
      if (uid && ports.length > 0) {
        after.set(uid, ports);
      }
    }
    this.bySlice.set(key, after);
    this.notify(before, after);
  }

  private remove(slice: EndpointSliceObject): void {
    const key = sliceKey(slice);
    const before = this.bySlice.get(key);
    this.bySlice.delete(key);
    this.notify(before, new Map());
  }

  private notify(
    before: Map<string, TargetedPort[]> | undefined,
    after: Map<string, TargetedPort[]>,
  ): void {
    const uids = new Set([...(before?.keys() ?? []), ...after.keys()]);
    const changed = [...uids].filter(
      (uid) => JSON.stringify(before?.get(uid)) !== JSON.stringify(after.get(uid)),
    );
    if (changed.length > 0) {
      this.changed(changed);
    }
  }
}

const sliceKey = (s: EndpointSliceObject) =>
  `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;
