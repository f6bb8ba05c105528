import type { Clock } from '@app/common';
import type { KubeObject } from '../object/types';
import type { ResourceType } from '../registry/resource-type';
import { apiVersionOf } from '../registry/resource-type';
import type { CommittedWrite } from '../storage/revision';
import type { Frame, WatchEncoding, WatchEventType } from './watch-encoding';
import { fromCommitted, type FilteredEvent } from './watch-event';
import type { WatchSink } from './watch-sink';

export interface WatchSettings {
  type: ResourceType;
  namespace?: string;
  matches: (o: KubeObject) => boolean;
  encoding: WatchEncoding;
  bookmarks: boolean;
  heartbeatMs: number;
  bookmarkMs: number;
  timeoutMs: number;
  currentRv: () => number;
  /** Live writes up to this version are not sent (a watch from a version not reached yet). */
  afterRv: number;
  /** For views: converts stored objects to the watched kind. */
  present?: (o: KubeObject) => KubeObject;
}

/** Drop a watcher whose client stopped reading rather than buffer without bound. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/**
 * One open watch stream: encoded events, heartbeats (a newline on idle JSON HTTP streams,
 * WebSocket pings; see the sinks), optional
 * bookmarks, and an end after the timeout.
 */
export class WatchConnection {
  private readonly timers: NodeJS.Timeout[] = [];
  private lastWrite: number;
  private closed = false;
  onClose: () => void = () => undefined;

  constructor(
    private readonly sink: WatchSink,
    private readonly settings: WatchSettings,
    private readonly clock: Clock,
  ) {
    this.lastWrite = clock.now();
  }

  get namespace(): string | undefined {
    return this.settings.namespace;
  }

  set scheduleFlush(schedule: (flush: () => void) => void) {
    this.sink.scheduleFlush = schedule;
  }

  open(): void {
    const { heartbeatMs, bookmarkMs, bookmarks, timeoutMs, encoding } = this.settings;
    this.sink.open(encoding.contentType);
    if (heartbeatMs > 0) {
      this.timers.push(
        setInterval(() => {
          const idle = this.clock.now() - this.lastWrite >= heartbeatMs;
          const frame = idle ? encoding.heartbeat : undefined;
          if (frame !== undefined) {
            this.lastWrite = this.clock.now();
          }
          this.sink.heartbeat(frame);
        }, heartbeatMs),
      );
    }
    if (bookmarks) {
      this.timers.push(setInterval(() => this.bookmark(), bookmarkMs));
    }
    this.timers.push(setTimeout(() => this.close(), timeoutMs));
    this.sink.onClose(() => this.close());
  }

  /** `frames` caches the encoded event per type across the watchers of one write. */
  send(event: FilteredEvent, frames?: Map<string, Frame[]>): void {
    if (this.closed) {
      return;
    }
    const { encoding } = this.settings;
    if (encoding.shareable && frames) {
      const key = `${encoding.contentType}/${event.type}`;
      let encoded = frames.get(key);
      if (!encoded) {
        encoded = encoding.encode(event.type, event.object, event.json);
        frames.set(key, encoded);
      }
      this.write(encoded);
      return;
    }
    this.write(encoding.encode(event.type, event.object, event.json));
  }

  onWrite(write: CommittedWrite, frames: Map<string, Frame[]>): void {
    if (
      (this.settings.namespace !== undefined &&
        write.revision.namespace !== this.settings.namespace) ||
      write.revision.rv <= this.settings.afterRv
    ) {
      return;
    }
    const { matches, present } = this.settings;
    const event = fromCommitted(write, matches, present);
    if (event) {
      // Views encode their own objects: the shared cache holds the storage kind's frames.
      this.send(event, present ? undefined : frames);
    }
  }

  /** An ERROR event carrying a Status, then the end of the stream (e.g. 410 Expired). */
  fail(status: Record<string, unknown>): void {
    this.emit('ERROR', status);
    this.close();
  }

  bookmark(annotations?: Record<string, string>): void {
    const { type } = this.settings;
    this.emit('BOOKMARK', {
      kind: type.kind,
      apiVersion: apiVersionOf(type),
      metadata: {
        resourceVersion: String(this.settings.currentRv()),
        ...(annotations ? { annotations } : {}),
      },
    });
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.timers.forEach((t) => clearInterval(t));
    this.sink.end();
    this.onClose();
  }

  private emit(type: WatchEventType, object: unknown): void {
    this.write(this.settings.encoding.encode(type, object));
  }

  private write(frames: Frame[]): void {
    if (this.closed) {
      return;
    }
    this.lastWrite = this.clock.now();
    this.sink.send(frames);
    if (this.sink.buffered > MAX_BUFFERED_BYTES) {
      this.close();
    }
  }
}
