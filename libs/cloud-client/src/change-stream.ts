import type { ResourceChangeEventDto } from '@app/cloud-contracts';
import type { CloudHttp } from './cloud-http';

/** One Server-Sent Event: `id`, `event` and the joined `data` lines. */
export interface ServerSentEvent {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Splits a text/event-stream body into events (the WHATWG parsing rules the change stream needs:
 * `field: value` lines, events ended by a blank line, `:` comments ignored, data lines joined).
 */
export class SseParser {
  private buffer = '';
  private current: ServerSentEvent = { data: '' };
  private hasData = false;

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk;
    const out: ServerSentEvent[] = [];
    for (let nl = this.buffer.search(/\r?\n/); nl >= 0; nl = this.buffer.search(/\r?\n/)) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(this.buffer[nl] === '\r' ? nl + 2 : nl + 1);
      if (line === '') {
        if (this.hasData) {
          out.push(this.current);
        }
        this.current = { data: '' };
        this.hasData = false;
        continue;
      }
      if (line.startsWith(':')) {
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') {
        this.current.data = this.hasData ? `${this.current.data}\n${value}` : value;
        this.hasData = true;
      } else if (field === 'id') {
        this.current.id = value;
      } else if (field === 'event') {
        this.current.event = value;
      }
    }
    return out;
  }
}

/**
 * Reads the project's change stream (`GET /v1/events/stream`) until it ends or `signal`
 * aborts, resuming after `lastEventId` when given. Yields each change as the cloud sent it.
 */
export async function* readChangeStream(
  http: CloudHttp,
  options: { lastEventId?: string; signal?: AbortSignal } = {},
): AsyncGenerator<ResourceChangeEventDto> {
  const res = await http.openStream('/v1/events/stream', {
    headers: options.lastEventId ? { 'Last-Event-ID': options.lastEventId } : undefined,
    signal: options.signal,
  });
  if (!res.body) {
    return;
  }
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (const event of parser.push(decoder.decode(chunk, { stream: true }))) {
      yield JSON.parse(event.data) as ResourceChangeEventDto;
    }
  }
}
