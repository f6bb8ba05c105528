import { errorMessage, type Logger } from '@app/controller-runtime';
import { isNotFound, type KubeRest, type PodObject } from '@app/kube-client';
import { stableJson } from '../stable-json';

/** Wait before retrying a failed status write (the status manager's resync is 10 s upstream). */
const RETRY_MS = 1000;

interface Entry {
  /** JSON of the status last written successfully. */
  written?: string;
  /** resourceVersion the API answered for that write. */
  writtenRv?: bigint;
  inFlight?: Promise<void>;
  /** Newer status waiting for the write in flight. */
  pending?: {
    path: string;
    uid: string;
    /** The pod's node: the write is made as that node. */
    nodeName?: string;
    status: Record<string, unknown>;
    json: string;
  };
}

/** Every key of the kubelet-owned status, so observed and desired compare field by field. */
function ownedPart(status: unknown, keys: readonly string[]): string {
  const s = (status ?? {}) as Record<string, unknown>;
  return stableJson(Object.fromEntries(keys.map((k) => [k, s[k] ?? null])));
}

function rvOf(obj: { metadata?: { resourceVersion?: string } } | undefined): bigint | undefined {
  const rv = obj?.metadata?.resourceVersion;
  return rv && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}

/**
 * The kubelet's status manager for all simulated pods: writes a pod's kubelet-owned status with
 * a merge PATCH of `pods/<name>/status` when it differs from what was written — or when someone
 * else changed it since (the node controller marking the pod not Ready) — one write per pod at a
 * time (the newest status wins), at most `concurrency` writes in flight overall.
 */
export class PodStatusWriter {
  private readonly entries = new Map<string, Entry>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    /** The client of a pod's node (status writes are made as the node the pod is bound to). */
    private readonly restFor: (nodeName: string | undefined) => KubeRest,
    private readonly logger: Logger,
    private readonly concurrency = 64,
  ) {}

  /**
   * Makes `status` the pod's status. Resolves once it (or a newer one) was written, at once
   * when nothing needs writing.
   */
  write(observed: PodObject, path: string, status: Record<string, unknown>): Promise<void> {
    const uid = observed.metadata?.uid ?? '';
    let entry = this.entries.get(uid);
    if (!entry) {
      entry = {};
      this.entries.set(uid, entry);
    }
    const json = stableJson(status);
    if (json === entry.written && !entry.pending) {
      const observedRv = rvOf(observed);
      const ours = entry.writtenRv;
      const externalChange =
        observedRv !== undefined &&
        ours !== undefined &&
        observedRv > ours &&
        ownedPart(observed.status, Object.keys(status)) !== json;
      if (!externalChange) {
        return entry.inFlight ?? Promise.resolve();
      }
    }
    entry.pending = { path, uid, nodeName: observed.spec?.nodeName, status, json };
    if (!entry.inFlight) {
      entry.inFlight = this.drain(entry);
    }
    return entry.inFlight;
  }

  /** Forgets a pod (deleted). */
  forget(uid: string): void {
    this.entries.delete(uid);
  }

  private async drain(entry: Entry): Promise<void> {
    try {
      while (entry.pending) {
        const next = entry.pending;
        entry.pending = undefined;
        await this.acquire();
        try {
          const written = await this.restFor(next.nodeName).patch<PodObject>(
            `${next.path}/status`,
            { metadata: { uid: next.uid }, status: next.status },
            'merge',
          );
          entry.written = next.json;
          entry.writtenRv = rvOf(written);
        } catch (err) {
          if (!isNotFound(err)) {
            this.logger.warn(
              { pod: next.path, err: errorMessage(err) },
              'Failed to update status for pod',
            );
            // Retry a moment later unless a newer status came meanwhile.
            entry.pending ??= next;
            await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
          }
        } finally {
          this.release();
        }
      }
    } finally {
      entry.inFlight = undefined;
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      next();
    } else {
      this.active--;
    }
  }
}
