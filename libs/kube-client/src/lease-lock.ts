import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import { DomainError } from '@app/common';
import {
  LEADER_ELECTION_DEFAULTS,
  type LeaderElectionRecord,
  type LeaseLock,
} from '@app/controller-runtime';
import { apiErrorMessage, isConflict, isNotFound } from './api-error';
import { KubeRest } from './kube-rest';

/**
 * controller-runtime's LeaseLock over a coordination.k8s.io/v1 Lease (client-go's
 * resourcelock.LeaseLock): get (404 → null), create, update = PUT at the last seen
 * resourceVersion; a 409 becomes a CONFLICT DomainError (someone else won the round). Plain JSON
 * through KubeRest, which retries the api-server's 429s as client-go does: a renewal refused while
 * the server is saturated would otherwise count as a failed round and cost the lease.
 *
 * Every call is bounded by the renew deadline, as upstream's leader-election client
 * (cmd/kube-controller-manager/app/options/options.go: `config.Timeout =
 * s.Generic.LeaderElection.RenewDeadline.Duration`, the scheduler and cloud-provider alike), and
 * aborted with the elector's signal: a renewal that never answers cannot hold the elector — or a
 * release on the way out — past its deadline.
 */
export class KubeLeaseLock implements LeaseLock {
  private readonly rest: KubeRest;
  private lease: V1Lease | undefined;

  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
    private readonly id: string,
    renewDeadlineMs = LEADER_ELECTION_DEFAULTS.renewDeadlineMs,
  ) {
    this.rest = new KubeRest(kc, renewDeadlineMs);
  }

  identity(): string {
    return this.id;
  }

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }

  async get(signal?: AbortSignal): Promise<LeaderElectionRecord | null> {
    try {
      this.lease = await this.rest.get<V1Lease>(this.path(this.name), undefined, signal);
    } catch (err) {
      if (isNotFound(err)) {
        this.lease = undefined;
        return null;
      }
      throw err;
    }
    return recordOf(this.lease);
  }

  async create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    this.lease = await this.call(() =>
      this.rest.create<V1Lease>(
        this.path(),
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.name, namespace: this.namespace },
          spec: specOf(record),
        },
        undefined,
        signal,
      ),
    );
  }

  async update(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    if (!this.lease) {
      throw new Error('lease not initialized, call get or create first');
    }
    const lease = this.lease;
    this.lease = await this.call(() =>
      this.rest.replace<V1Lease>(this.path(this.name), { ...lease, spec: specOf(record) }, signal),
    );
  }

  private path(name?: string): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.namespace)}/leases`;
    return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
  }

  private async call(fn: () => Promise<V1Lease>): Promise<V1Lease> {
    try {
      return await fn();
    } catch (err) {
      if (isConflict(err)) {
        throw new DomainError('CONFLICT', apiErrorMessage(err));
      }
      throw err;
    }
  }
}

// MicroTime strings travel as they are; client-node may hand Dates back, normalised here.
function specOf(record: LeaderElectionRecord): V1Lease['spec'] {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: record.acquireTime as never,
    renewTime: record.renewTime as never,
    leaseTransitions: record.leaseTransitions,
  };
}

function recordOf(lease: V1Lease): LeaderElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: microTime(spec.acquireTime),
    renewTime: microTime(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

function microTime(value: unknown): string {
  if (value instanceof Date) {
    return value.toISOString().replace(/Z$/, '000Z');
  }
  return typeof value === 'string' ? value : '';
}
