import type { Revision } from './revision';

/**
 * The retained tail of the revisioned log in memory, ordered by rv. Watches resume from here;
 * anything older than `compactedRv` is gone (410 Expired).
 */
export class RevisionHistory {
  private entries: Revision[] = [];
  private start = 0;
  compactedRv = 0;

  get size(): number {
    return this.entries.length - this.start;
  }

  append(revision: Revision): void {
    this.entries.push(revision);
  }

  /** Revisions with rv > `rv`, or undefined when part of that range was compacted away. */
  since(rv: number): Revision[] | undefined {
    if (rv < this.compactedRv) {
      return undefined;
    }
    let lo = this.start;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].rv <= rv) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return this.entries.slice(lo);
  }

  /**
   * Drops revisions that are both older than `minCreatedAt` and not among the newest `keep`,
   * plus anything beyond `maxEntries`. Returns the new compacted revision.
   */
  compact(keep: number, minCreatedAt: number, maxEntries: number): number {
    const end = this.entries.length;
    let cut = this.start;
    const keepFrom = Math.max(this.start, end - keep);
    while (cut < keepFrom && this.entries[cut].createdAt < minCreatedAt) {
      cut++;
    }
    cut = Math.max(cut, end - maxEntries);
    if (cut > this.start) {
      this.compactedRv = this.entries[cut - 1].rv;
      this.start = cut;
      if (this.start > 4096 && this.start * 2 > this.entries.length) {
        this.entries = this.entries.slice(this.start);
        this.start = 0;
      }
    }
    return this.compactedRv;
  }

  /** Forgets everything up to and including `rv` (forced compaction). */
  compactTo(rv: number): void {
    while (this.start < this.entries.length && this.entries[this.start].rv <= rv) {
      this.start++;
    }
    this.compactedRv = Math.max(this.compactedRv, rv);
  }
}
