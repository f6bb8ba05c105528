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
  onClose: () => void = () => undefined;

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

  send(event: FilteredEvent): void {
    if (this.closed) {
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

  onWrite(write: CommittedWrite): void {
    if (
      this.settings.namespace !== undefined &&
      write.revision.namespace !== this.settings.namespace
    ) {
      return;
    }
    const event = fromCommitted(write, this.settings.matches);
    if (event) {
      this.send(event);
    }
  }

  /** An ERROR event carrying a Status, then the end of the stream (410 Expired). */
  fail(status: Record<string, unknown>): void {
    this.write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
    this.close();
  }

  bookmark(): void {
    const { type } = this.settings;
    this.write(
      `${JSON.stringify({
        type: 'BOOKMARK',
        object: {
          kind: type.kind,
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: String(this.settings.currentRv()) },
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
    this.res.end();
    this.onClose();
  }

  private write(chunk: string): void {
    if (this.closed) {
      return;
    }
    this.lastWrite = this.clock.now();
    this.res.write(chunk);
    if (this.res.writableLength > MAX_BUFFERED_BYTES) {
      this.close();
    }
  }
}
