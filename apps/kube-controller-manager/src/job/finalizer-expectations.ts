/**
 * upstream uidTrackingExpectations for finalizer removals: per Job key, the pod UIDs whose
 * `batch.kubernetes.io/job-tracking` finalizer was removed but whose update the cache has not
 * shown yet — so a stale cache never counts a pod twice.
 */
export class FinalizerExpectations {
  private readonly byJob = new Map<string, Set<string>>();

  get(key: string): ReadonlySet<string> {
    return this.byJob.get(key) ?? new Set();
  }

  expectRemoved(key: string, uids: readonly string[]): void {
    const set = this.byJob.get(key) ?? new Set<string>();
    for (const uid of uids) {
      set.add(uid);
    }
    this.byJob.set(key, set);
  }

  observed(key: string, uid: string): void {
    const set = this.byJob.get(key);
    set?.delete(uid);
    if (set?.size === 0) {
      this.byJob.delete(key);
    }
  }

  delete(key: string): void {
    this.byJob.delete(key);
  }
}
