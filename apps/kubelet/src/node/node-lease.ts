import {
  errorMessage,
  formatMicroTime,
  type Logger,
  type Scheduler,
  type TimerHandle,
} from '@app/controller-runtime';
import { isConflict, isNotFound, type KubeRest, type LeaseObject } from '@app/kube-client';

/** component-helpers lease controller: renew at a quarter of the duration, 4 % jitter. */
const RENEW_FRACTION = 0.25;
const JITTER_FACTOR = 0.04;
/** After a failed renewal: retry soon, backing off up to 7 s (upstream maxBackoff). */
const RETRY_INITIAL_MS = 200;
const RETRY_MAX_MS = 7000;

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeLeaseOptions {
  rest: KubeRest;
  nodeName: string;
  leaseDurationSeconds: number;
  /** Timers on the cluster clock. */
  scheduler: Scheduler;
  logger: Logger;
  /** The Node's UID once known (the Lease gets an owner reference to it). */
  nodeUid(): string | undefined;
  random?: () => number;
}

/**
 * The kubelet's node lease (k8s.io/component-helpers apimachinery/lease): `kube-node-lease/<node>`
 * held by the node, `leaseDurationSeconds` 40, `renewTime` (MicroTime) renewed every ~10 s with
 * jitter, owned by the Node. Stops when the machine stops.
 */
export class NodeLease {
  private lease: LeaseObject | undefined;
  private timer: TimerHandle | undefined;
  private stopped = true;
  private retryMs = RETRY_INITIAL_MS;
  private running: Promise<void> | undefined;

  constructor(private readonly options: NodeLeaseOptions) {}

  start(): void {
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`;
  }

  private tick(): void {
    if (this.stopped) {
      return;
    }
    this.running = this.renew().then(
      () => {
        this.retryMs = RETRY_INITIAL_MS;
        const interval = this.options.leaseDurationSeconds * 1000 * RENEW_FRACTION;
        const random = this.options.random ?? Math.random;
        this.schedule(interval + random() * JITTER_FACTOR * interval);
      },
      (err: unknown) => {
        this.options.logger.warn(
          { node: this.options.nodeName, err: errorMessage(err) },
          'failed to update lease',
        );
        this.schedule(this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      },
    );
  }

  private schedule(ms: number): void {
    if (!this.stopped) {
      this.timer = this.options.scheduler.setTimer(() => this.tick(), ms);
    }
  }

  private desired(base: LeaseObject | undefined): LeaseObject {
    const { nodeName, leaseDurationSeconds, scheduler } = this.options;
    const uid = this.options.nodeUid();
    // The clock has millisecond resolution; the sub-millisecond digits are noise, as upstream's.
    const renewTime = formatMicroTime(scheduler.now() + Math.floor(Math.random() * 1000) / 1000);
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        ...base?.metadata,
        name: nodeName,
        namespace: NODE_LEASE_NAMESPACE,
        ...(uid
          ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid }] }
          : {}),
      },
      spec: { holderIdentity: nodeName, leaseDurationSeconds, renewTime },
    };
  }

  private async renew(): Promise<void> {
    const { rest, nodeName } = this.options;
    if (!this.lease) {
      try {
        this.lease = await rest.get<LeaseObject>(`${this.path}/${nodeName}`);
      } catch (err) {
        if (!isNotFound(err)) {
          throw err;
        }
        this.lease = await rest.create<LeaseObject>(this.path, this.desired(undefined));
        return;
      }
    }
    try {
      this.lease = await rest.replace<LeaseObject>(
        `${this.path}/${nodeName}`,
        this.desired(this.lease),
      );
    } catch (err) {
      // Someone else wrote it (or deleted it): read it again next time.
      if (isConflict(err) || isNotFound(err)) {
        this.lease = undefined;
      }
      throw err;
    }
  }
}
