/**
 * The configuration and status shapes of the user-space data plane. A *virtual server* (IPVS's
 * term) is one set of listeners forwarding to one set of backends with one scheduler: a cloud
 * load balancer, or one Service port in kube-proxy.
 */
import type { SchedulerName } from './schedulers/scheduler';

export type Protocol = 'TCP' | 'UDP';

/** Time for affinity and UDP idle timeouts; inject the cloud's or a test's clock. */
export interface DataPlaneClock {
  now(): number;
}

/**
 * Where a listener binds: an address and port, and what to try instead when that bind fails with
 * a given error (Node `code`s such as `EACCES` for a privileged port, `EADDRNOTAVAIL` where only
 * 127.0.0.1 exists, `EADDRINUSE` for a port taken on a shared address). Fallbacks nest, so each
 * failure leads exactly where the plan says.
 */
export interface BindPlan {
  address: string;
  /** 0 = any free port. */
  port: number;
  fallbacks?: readonly { on: readonly string[]; then: BindPlan }[];
}

export interface ListenerSpec {
  /** Unique in the virtual server; reconfiguration matches listeners by name. */
  name: string;
  protocol: Protocol;
  /**
   * The address and port asked for, with fallbacks. A listener whose protocol or plan changes is
   * closed (with its connections) and opened again; keep passing an equal plan to keep it.
   */
  bind: BindPlan;
  /** Port dialled on each backend (a backend's own `port` wins). */
  targetPort: number;
}

export interface BackendSpec {
  /** Stable identity (instance id, endpoint address); reconfiguration matches backends by it. */
  id: string;
  /** Host address dialled. */
  address: string;
  /** Overrides every listener's targetPort (an endpoint's own port). */
  port?: number;
  /** Relative share for the weighted schedulers; 0 takes no new connections. Default 1. */
  weight?: number;
  /**
   * Whether it may take new connections (an endpoint's `ready` condition). Default true. With a
   * health check, a backend takes traffic only when it is ready *and* healthy.
   */
  ready?: boolean;
}

export interface ClientGroupSpec {
  /** For logs and status, e.g. the node name. */
  name: string;
  /** Client CIDRs (IPv4 and IPv6); at least one. */
  sources: readonly string[];
  /** Ids of the backends these clients may use (may be empty: they are refused). */
  backends: readonly string[];
}

export interface HealthCheckSpec {
  protocol: 'TCP' | 'HTTP';
  /** Default: the port the backend serves the first listener on. */
  port?: number;
  /** HTTP only; default `/`. 2xx and 3xx answers are healthy. */
  path?: string;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive successes that make an unhealthy backend healthy. */
  healthyThreshold: number;
  /** Consecutive failures that make a healthy backend unhealthy. */
  unhealthyThreshold: number;
}

export interface VirtualServerSpec {
  listeners: readonly ListenerSpec[];
  backends: readonly BackendSpec[];
  /** IPVS names (`rr`, `wrr`, `lc`, `wlc`, `sed`, `nq`, `sh`, `dh`, `mh`) or the cloud's. */
  scheduler: SchedulerName;
  /** ClientIP session affinity: a client sticks to its backend until idle this long (clock time). */
  affinity?: { timeoutMs: number };
  /** CIDRs a client address must fall in (IPv4 and IPv6); absent or empty = everyone. */
  sourceRanges?: readonly string[];
  /**
   * Backends by where the client comes from (kube-proxy's `internalTrafficPolicy: Local`): a
   * client whose address falls in a group's `sources` may use only that group's backends (none
   * eligible → refused, `no_backend`); the first matching group wins; a client in no group may use
   * every backend.
   */
  clientGroups?: readonly ClientGroupSpec[];
  /** Absent: backends are healthy when `ready`. */
  healthCheck?: HealthCheckSpec;
  /** A UDP flow is forgotten after this much clock time without datagrams. Default 60 s. */
  udpIdleTimeoutMs?: number;
  /** Most UDP flows per listener; datagrams of further clients are dropped. Default 10,000. */
  udpMaxSessions?: number;
}

export type Health = 'unknown' | 'healthy' | 'unhealthy';

export type ListenerState = 'opening' | 'listening' | 'failed';

export interface ListenerStatus {
  name: string;
  protocol: Protocol;
  state: ListenerState;
  /** The address and port actually bound (when listening). */
  address?: string;
  port?: number;
  /** Why it is not on the first candidate (a fallback was taken), or why it failed. */
  message?: string;
  /** The failing bind's error code. */
  code?: string;
}

export interface BackendStatus {
  id: string;
  health: Health;
  /** Clock time of the last health change (absent while unknown since it was added). */
  since?: number;
  /** The last check's outcome, e.g. `connect ECONNREFUSED 127.10.0.4:30080` or `HTTP 503`. */
  detail?: string;
  /** Takes new connections now (ready, healthy, weight > 0). */
  eligible: boolean;
}

export interface VirtualServerStatus {
  listeners: ListenerStatus[];
  backends: BackendStatus[];
  eligibleBackends: number;
}

/** Why a connection (or a UDP datagram of a new flow) was refused. */
export type RejectReason = 'source_range' | 'no_backend' | 'backend_unreachable' | 'session_limit';

export interface BackendCounters {
  /** TCP connections forwarded (UDP: flows). */
  connections: number;
  /** Open TCP connections (UDP: live flows). */
  active: number;
  /** Bytes from clients to the backend. */
  bytesIn: number;
  /** Bytes from the backend to clients. */
  bytesOut: number;
  /** Failed dials (each retried on another backend when one is left). */
  connectFailures: number;
}

export interface ListenerStats {
  name: string;
  protocol: Protocol;
  rejected: Record<RejectReason, number>;
  /** Per backend that ever served this listener (and still exists or has open connections). */
  backends: Record<string, BackendCounters>;
}

export interface HealthCheckCounters {
  successes: number;
  failures: number;
}

export interface VirtualServerStats {
  listeners: ListenerStats[];
  healthChecks: Record<string, HealthCheckCounters>;
}

/** A health change, for the owner to publish (API, events, metrics). */
export interface HealthChange {
  virtualServer: string;
  backend: string;
  health: Health;
  previous: Health;
  at: number;
  detail?: string;
}
