import { DomainError } from '@app/common';
import type { LeaderElectionRecord, LeaseLock } from './lease-lock';

/**
 * One Lease object with api-server semantics (resourceVersion bumped on every write, stale writes
 * refused with CONFLICT). Shared by several `InMemoryLeaseLock`s to run an election in a test or in
 * a single process without an api-server.
 */
export class InMemoryLease {
  private record: LeaderElectionRecord | null = null;
  private version = 0;

  constructor(readonly name = 'kube-system/cloud-controller-manager') {}

  read(): { record: LeaderElectionRecord; resourceVersion: string } | null {
    return this.record
      ? { record: { ...this.record }, resourceVersion: String(this.version) }
      : null;
  }

  create(record: LeaderElectionRecord): string {
    if (this.record) {
      throw new DomainError('ALREADY_EXISTS', `lease ${this.name} already exists`);
    }
    this.record = { ...record };
    return String(++this.version);
  }

  update(record: LeaderElectionRecord, resourceVersion: string): string {
    if (!this.record) {
      throw new DomainError('NOT_FOUND', `lease ${this.name} not found`);
    }
    if (resourceVersion !== String(this.version)) {
      throw new DomainError(
        'CONFLICT',
        `Operation cannot be fulfilled on leases "${this.name}": the object has been modified`,
      );
    }
    this.record = { ...record };
    return String(++this.version);
  }
}

/** A LeaseLock over an InMemoryLease, with the same resourceVersion discipline as the Lease lock. */
export class InMemoryLeaseLock implements LeaseLock {
  private resourceVersion: string | undefined;

  constructor(
    private readonly lease: InMemoryLease,
    private readonly id: string,
  ) {}

  identity(): string {
    return this.id;
  }

  describe(): string {
    return this.lease.name;
  }

  get(): Promise<LeaderElectionRecord | null> {
    return settle(() => {
      const current = this.lease.read();
      this.resourceVersion = current?.resourceVersion;
      return current ? current.record : null;
    });
  }

  create(record: LeaderElectionRecord): Promise<void> {
    return settle(() => {
      this.resourceVersion = this.lease.create(record);
    });
  }

  update(record: LeaderElectionRecord): Promise<void> {
    return settle(() => {
      if (this.resourceVersion === undefined) {
        throw new Error('lease not initialized, call get or create first');
      }
      this.resourceVersion = this.lease.update(record, this.resourceVersion);
    });
  }
}

/** Runs `fn` and turns its result or throw into a promise, like an api call. */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}
