import type { NodeObject } from '@app/kube-client';
import { goTimeString } from './go-time';

/** upstream ToBeDeletedTaint (cluster-autoscaler marks nodes it is removing). */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';
/** healthTimeout = 2 × iptables.syncPeriod (30 s). */
export const HEALTH_TIMEOUT_MS = 60_000;

export interface HealthResponse {
  status: 200 | 503;
  body: string;
}

/**
 * kube-proxy's ProxierHealthServer (pkg/proxy/healthcheck/proxier_health.go, 1.29–1.32 form):
 * healthy while starting and whenever no queued Service/EndpointSlice change has waited longer
 * than the health timeout; `/healthz` also needs the node to be eligible (not being deleted, no
 * `ToBeDeletedByClusterAutoscaler` taint), `/livez` does not.
 */
export class ProxierHealth {
  private lastUpdated: number | undefined;
  private oldestPendingQueued: number | undefined;
  private nodeEligible = true;

  constructor(private readonly monotonicSeconds: () => number) {}

  /** A change to Services/EndpointSlices/Nodes was queued for the next sync. */
  queued(now: number): void {
    this.oldestPendingQueued ??= now;
  }

  /** The proxier synced everything queued so far. */
  updated(now: number): void {
    this.lastUpdated = now;
    this.oldestPendingQueued = undefined;
  }

  /** upstream SyncNode: eligibility from the Node object. */
  syncNode(node: NodeObject | undefined): void {
    this.nodeEligible =
      !!node &&
      !node.metadata?.deletionTimestamp &&
      !(node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
  }

  get eligible(): boolean {
    return this.nodeEligible;
  }

  isHealthy(now: number): boolean {
    return (
      this.oldestPendingQueued === undefined || now - this.oldestPendingQueued < HEALTH_TIMEOUT_MS
    );
  }

  healthz(now: number): HealthResponse {
    const healthy = this.isHealthy(now) && this.nodeEligible;
    const lastUpdated = healthy ? now : (this.lastUpdated ?? 0);
    return {
      status: healthy ? 200 : 503,
      body: `{"lastUpdated": ${this.quoted(lastUpdated, now)},"currentTime": ${this.quoted(now, now)}, "nodeEligible": ${this.nodeEligible}}`,
    };
  }

  livez(now: number): HealthResponse {
    const healthy = this.isHealthy(now);
    const lastUpdated = healthy ? now : (this.lastUpdated ?? 0);
    return {
      status: healthy ? 200 : 503,
      body: `{"lastUpdated": ${this.quoted(lastUpdated, now)},"currentTime": ${this.quoted(now, now)}}`,
    };
  }

  /** Go's `%q` of a time.Time: its String() in double quotes; the zero time has no monotonic part. */
  private quoted(ms: number, now: number): string {
    if (ms === 0) {
      return '"0001-01-01 00:00:00 +0000 UTC"';
    }
    return JSON.stringify(goTimeString(ms, this.monotonicSeconds() - (now - ms) / 1000));
  }
}
