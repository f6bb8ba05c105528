/**
 * The spec of a coordination.k8s.io/v1 Lease as leader election uses it
 * (client-go's LeaderElectionRecord). Times are MicroTime strings.
 */
export interface LeaderElectionRecord {
  /** Empty when the lease was released. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

/**
 * A lock backed by one Lease object (client-go's resourcelock.Interface for `leases`).
 * The lock remembers the resourceVersion it last read or wrote; `update` must send it so that the
 * server refuses (409 Conflict) a write based on a stale read: a conflict means someone else won.
 * `signal` aborts a request that outlives the renew deadline.
 */
export interface LeaseLock {
  /** The candidate's identity (upstream: `<hostname>_<uuid>`). */
  identity(): string;
  /** For logs, e.g. `kube-system/cloud-controller-manager`. */
  describe(): string;
  /** The current record, or `null` when the Lease does not exist. */
  get(signal?: AbortSignal): Promise<LeaderElectionRecord | null>;
  /** Creates the Lease; fails if it already exists. */
  create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void>;
  /** Replaces the Lease spec at the last seen resourceVersion; fails on conflict. */
  update(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void>;
  /** Optional: an event on the lock object ("<identity> became leader"). */
  recordEvent?(message: string): void;
}
