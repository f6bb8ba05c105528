/** upstream ExpectationsTimeout: forget expectations that never came true after 5 minutes. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  timestamp: number;
}

/**
 * upstream ControllerExpectations (pkg/controller/controller_utils.go): a controller that just
 * asked for N creations or deletions waits until its informer has seen them before it syncs the
 * same key again, so it never acts on a cache that does not show its own writes yet.
 */
export class ControllerExpectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly now: () => number) {}

  /** True when the key may sync: nothing pending, never set, or expired. */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) {
      return true;
    }
    if (e.add <= 0 && e.del <= 0) {
      return true;
    }
    return this.now() - e.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(key: string, adds: number): void {
    this.byKey.set(key, { add: adds, del: 0, timestamp: this.now() });
  }

  expectDeletions(key: string, dels: number): void {
    this.byKey.set(key, { add: 0, del: dels, timestamp: this.now() });
  }

  /** An observed (or failed, hence never to be observed) creation. */
  creationObserved(key: string): void {
    this.lower(key, 1, 0);
  }

  deletionObserved(key: string): void {
    this.lower(key, 0, 1);
  }

  /** Lowers pending creations after some were skipped (upstream LowerExpectations). */
  lower(key: string, add: number, del: number): void {
    const e = this.byKey.get(key);
    if (e) {
      e.add -= add;
      e.del -= del;
    }
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }
}

/**
 * upstream UIDTrackingControllerExpectations: deletions are tracked by pod key so that a pod
 * seen deleted twice (update with deletionTimestamp, then delete) lowers them once.
 */
export class UidTrackingExpectations extends ControllerExpectations {
  private readonly pendingDeletes = new Map<string, Set<string>>();

  expectPodDeletions(key: string, podKeys: readonly string[]): void {
    this.pendingDeletes.set(key, new Set(podKeys));
    this.expectDeletions(key, podKeys.length);
  }

  /** A pod of the controller `key` went away (or began terminating). */
  podDeletionObserved(key: string, podKey: string): void {
    const pending = this.pendingDeletes.get(key);
    if (pending?.delete(podKey)) {
      this.deletionObserved(key);
    }
  }

  override delete(key: string): void {
    super.delete(key);
    this.pendingDeletes.delete(key);
  }
}
