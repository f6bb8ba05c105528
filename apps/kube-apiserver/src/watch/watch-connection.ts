import type { ServerResponse } from 'node:http';
import type { Clock } from '@app/common';
import type { KubeObject } from '../api/types';
import type { ResourceType } from '../registry/resource-type';
import { apiVersionOf } from '../registry/resource-type';
import type { CommittedWrite } from '../storage/revision';
import { buildTable, type TableOptions } from '../tables/table-builder';
import { fromCommitted, type FilteredEvent } from './watch-event';

export interface WatchSettings {
  type: ResourceType;
  namespace?: string;
  matches: (o: KubeObject) => boolean;
  table?: TableOptions;
  bookmarks: boolean;
  heartbeatMs: number;
  bookmarkMs: number;
  timeoutMs?: number;
  currentRv: () => number;
  /** For views: converts stored objects to the watched kind. */
  present?: (o: KubeObject) => KubeObject;
}

/** Drop a watcher whose client stopped reading rather than buffer without bound. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/**
 * One open watch stream: newline-delimited `{"type","object"}` events, heartbeats while idle,
 * optional bookmarks, and an end after `timeoutSeconds`.
 */
export class WatchConnection {
  private readonly timers: NodeJS.Timeout[] = [];
  private lastWrite: number;
  private closed = false;
  private pending = '';
  private flushScheduled = false;
  onClose: () => void = () => undefined;
  /** How a flush is scheduled; the hub batches all watchers' flushes into one callback. */
  scheduleFlush: (flush: () => void) => void = (flush) => setImmediate(flush);

  constructor(
    private readonly res: ServerResponse,
    private readonly settings: WatchSettings,
    private readonly clock: Clock,
  ) {
    this.lastWrite = clock.now();
  }

  get namespace(): string | undefined {
    return this.settings.namespace;
  }

  /** Headers go out at once: Go clients block until they arrive. */
  open(): void {
    this.res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    this.res.flushHeaders();
    const { heartbeatMs, bookmarkMs, bookmarks, timeoutMs } = this.settings;
    this.timers.push(
      setInterval(() => {
        if (this.clock.now() - this.lastWrite >= heartbeatMs) {
          this.write('\n');
        }
      }, heartbeatMs),
    );
    if (bookmarks) {
      this.timers.push(setInterval(() => this.bookmark(), bookmarkMs));
    }
    if (timeoutMs !== undefined) {
      this.timers.push(setTimeout(() => this.close(), timeoutMs));
    }
    this.res.on('close', () => this.close());
  }

  /** `lines` caches the encoded JSON event per type across the watchers of one write. */
  send(event: FilteredEvent, lines?: Map<string, string>): void {
    if (this.closed) {
      return;
    }
    if (!this.settings.table && lines) {
      let line = lines.get(event.type);
      if (line === undefined) {
        line = `{"type":"${event.type}","object":${event.json ?? JSON.stringify(event.object)}}\n`;
        lines.set(event.type, line);
      }
      this.write(line);
      return;
    }
    let objectJson: string;
    if (this.settings.table) {
      objectJson = JSON.stringify(
        buildTable(this.settings.type, [event.object], this.clock.now(), this.settings.table, {
          resourceVersion: event.object.metadata.resourceVersion,
        }),
      );
    } else {
      objectJson = event.json ?? JSON.stringify(event.object);
    }
    this.write(`{"type":"${event.type}","object":${objectJson}}\n`);
  }

  onWrite(write: CommittedWrite, lines: Map<string, string>): void {
    if (
      this.settings.namespace !== undefined &&
      write.revision.namespace !== this.settings.namespace
    ) {
      return;
    }
    const { matches, present } = this.settings;
    const event = fromCommitted(write, matches, present);
    if (event) {
      // Views encode their own objects: the shared line cache holds the storage kind's JSON.
      this.send(event, present ? undefined : lines);
    }
  }

  /** An ERROR event carrying a Status, then the end of the stream (410 Expired). */
  fail(status: Record<string, unknown>): void {
    this.write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
    this.close();
  }

  bookmark(annotations?: Record<string, string>): void {
    const { type } = this.settings;
    this.write(
      `${JSON.stringify({
        type: 'BOOKMARK',
        object: {
          kind: type.kind,
          apiVersion: apiVersionOf(type),
          metadata: {
            resourceVersion: String(this.settings.currentRv()),
            ...(annotations ? { annotations } : {}),
          },
        },
      })}\n`,
    );
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.timers.forEach((t) => clearInterval(t));
    this.flush();
    this.res.end();
    this.onClose();
  }

  /**
   * Events written in the same tick leave in one TLS record and syscall: with many watchers and a
   * burst of writes this is what keeps fan-out cheap.
   */
  private write(chunk: string): void {
    if (this.closed) {
      return;
    }
    this.lastWrite = this.clock.now();
    this.pending += chunk;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.scheduleFlush(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending === '' || this.res.writableEnded) {
      return;
    }
    this.res.write(this.pending);
    this.pending = '';
    if (this.res.writableLength > MAX_BUFFERED_BYTES) {
      this.close();
    }
  }
}
