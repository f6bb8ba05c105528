import type { ObjectStore } from '../storage/object-store';
import type { CommittedWrite } from '../storage/revision';
import type { WatchConnection } from './watch-connection';
import type { Frame } from './watch-encoding';

/**
 * Fans committed writes out to the open watches of that kind, from memory (no polling): each
 * batch once it is durable, every event encoded once per format and shared by all watchers,
 * then one flush (one TLS record and syscall) per watcher for the whole batch.
 */
export class WatchHub {
  private readonly byType = new Map<string, Set<WatchConnection>>();
  private readonly unsubscribe: () => void;

  constructor(store: ObjectStore) {
    this.unsubscribe = store.onCommit((writes) => this.dispatch(writes));
  }

  get size(): number {
    let n = 0;
    for (const set of this.byType.values()) {
      n += set.size;
    }
    return n;
  }

  add(typeKey: string, watch: WatchConnection): void {
    let set = this.byType.get(typeKey);
    if (!set) {
      set = new Set();
      this.byType.set(typeKey, set);
    }
    set.add(watch);
    watch.onClose = () => set.delete(watch);
    watch.scheduleFlush = (flush) => this.enqueueFlush(flush);
  }

  /** Ends every watch (shutdown); clients re-watch from their last resourceVersion. */
  closeAll(): void {
    for (const set of this.byType.values()) {
      for (const w of [...set]) {
        w.close();
      }
    }
  }

  /** Closes every watch and stops listening to the store. */
  stop(): void {
    this.closeAll();
    this.unsubscribe();
  }

  private readonly flushes: (() => void)[] = [];
  private dispatching = false;

  /**
   * One callback per tick flushes every watcher that got events (not one per watcher); during a
   * dispatch the flush follows it at once.
   */
  private enqueueFlush(flush: () => void): void {
    if (this.flushes.push(flush) === 1 && !this.dispatching) {
      setImmediate(() => this.flushAll());
    }
  }

  private flushAll(): void {
    for (const f of this.flushes.splice(0)) {
      try {
        f();
      } catch {
        // A broken connection closes itself; the others still get their events.
      }
    }
  }

  private dispatch(writes: CommittedWrite[]): void {
    this.dispatching = true;
    try {
      for (const write of writes) {
        const set = this.byType.get(write.revision.typeKey);
        if (!set) {
          continue;
        }
        const frames = new Map<string, Frame[]>();
        for (const watch of set) {
          watch.onWrite(write, frames);
        }
      }
    } finally {
      this.dispatching = false;
    }
    this.flushAll();
  }
}
