import type { KubeObject } from '../object/types';
import { KubeProto, META_V1 } from '../protobuf/kube-proto';
import { encodeKubeProtobuf, PROTOBUF } from '../protobuf/envelope';
import type { Type } from 'protobufjs';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One frame as written: HTTP concatenates the frames of an event, WebSocket sends one message each. */
export type Frame = string | Buffer;

/**
 * How a watch stream encodes events: newline-delimited `{"type","object"}` JSON, or protobuf
 * `metav1.WatchEvent`s with a 4-byte big-endian length prefix (`;stream=watch`), as the
 * apiserver's stream serializers do.
 */
export interface WatchEncoding {
  /** Content-Type of the stream. */
  readonly contentType: string;
  /** WebSocket message type: text for JSON, binary for protobuf. */
  readonly text: boolean;
  /**
   * Written on idle HTTP streams (JSON only: a newline between events is harmless); never sent
   * as a WebSocket message (those heartbeats are pings).
   */
  readonly heartbeat?: string;
  /**
   * Frames of one event. `transform` converts objects for Table / PartialObjectMetadata watches
   * (bookmarks and errors are never converted); `json` is the object's stored JSON if known.
   */
  encode(type: WatchEventType, object: unknown, json?: string): Frame[];
  /** Whether frames of plain stored objects can be shared by all watchers of one write. */
  readonly shareable: boolean;
}

export type ObjectTransform = (object: KubeObject) => unknown;

const converts = (type: WatchEventType) => type !== 'BOOKMARK' && type !== 'ERROR';

export class JsonWatchEncoding implements WatchEncoding {
  readonly contentType = 'application/json';
  readonly text = true;
  readonly heartbeat = '\n';
  readonly shareable: boolean;

  constructor(private readonly transform?: ObjectTransform) {
    this.shareable = !transform;
  }

  encode(type: WatchEventType, object: unknown, json?: string): Frame[] {
    let objectJson: string;
    if (this.transform && converts(type)) {
      objectJson = JSON.stringify(this.transform(object as KubeObject));
    } else {
      objectJson = json ?? JSON.stringify(object);
    }
    return [`{"type":"${type}","object":${objectJson}}\n`];
  }
}

export class ProtobufWatchEncoding implements WatchEncoding {
  readonly contentType = `${PROTOBUF};stream=watch`;
  readonly text = false;
  readonly shareable: boolean;
  private readonly watchEvent: Type;

  constructor(private readonly transform?: ObjectTransform) {
    this.shareable = !transform;
    this.watchEvent = KubeProto.get().type(`${META_V1}.WatchEvent`) as Type;
  }

  encode(type: WatchEventType, object: unknown): Frame[] {
    const value = (
      this.transform && converts(type) ? this.transform(object as KubeObject) : object
    ) as {
      apiVersion?: string;
      kind?: string;
    };
    const raw =
      encodeKubeProtobuf(value.apiVersion ?? '', value.kind ?? '', value) ?? Buffer.alloc(0);
    const body = Buffer.from(this.watchEvent.encode({ type, object: { raw } }).finish());
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    // Go's length-delimited framer writes the header and the body separately (two WebSocket
    // messages); over HTTP they are simply consecutive bytes.
    return [header, body];
  }
}
