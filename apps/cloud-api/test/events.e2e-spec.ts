import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChangeStream } from '../src/events/change-stream';
import { projectWithToken, startHarness, type Harness } from './cloud-api-harness';

interface ChangeEvent {
  id: string;
  event: string;
  data: {
    seq: number;
    change: string;
    resourceType: string;
    resourceId: string;
    name: string;
    oldState?: string;
    newState?: string;
    at: string;
  };
}

/** A Server-Sent Events client on loopback: collects events and comment lines as they arrive. */
class SseClient {
  readonly events: ChangeEvent[] = [];
  readonly comments: string[] = [];
  response!: IncomingMessage;
  private request!: ClientRequest;
  private buffer = '';

  static open(port: number, headers: Record<string, string>, path = '/v1/events/stream') {
    const client = new SseClient();
    return new Promise<SseClient>((resolve, reject) => {
      client.request = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
        client.response = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => client.feed(chunk));
        resolve(client);
      });
      client.request.on('error', reject);
    });
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments.push(line.slice(1).trim());
        } else {
          const i = line.indexOf(':');
          fields[line.slice(0, i)] = line.slice(i + 1).trim();
        }
      }
      if (fields.data) {
        this.events.push({
          id: fields.id,
          event: fields.event,
          data: JSON.parse(fields.data) as ChangeEvent['data'],
        });
      }
    }
  }

  /** Waits (bounded) until `count` events arrived. */
  async waitFor(count: number): Promise<ChangeEvent[]> {
    for (let i = 0; i < 200 && this.events.length < count; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.events;
  }

  close(): void {
    this.request.destroy();
  }
}

const summary = (events: ChangeEvent[]) =>
  events.map(
    (e) => `${e.event} ${e.data.resourceType} ${e.data.oldState ?? '-'}→${e.data.newState ?? '-'}`,
  );

describe('change stream (e2e)', () => {
  let h: Harness;
  let port: number;

  const start = async (options: Record<string, unknown> = {}) => {
    h = await startHarness(options);
    await h.app.listen(0, '127.0.0.1');
    port = (h.app.getHttpServer().address() as AddressInfo).port;
  };

  afterEach(async () => {
    await h.close();
  });

  it('should stream created, updated (old → new) and deleted events as calls and the clock change resources', async () => {
    await start();
    const other = await projectWithToken(h, 'p2');
    const sse = await SseClient.open(port, h.auth);
    expect(sse.response.statusCode).toBe(200);
    expect(sse.response.headers['content-type']).toContain('text/event-stream');

    const created = await h.http
      .post('/v1/instances')
      .set(h.auth)
      .send({ name: 'web', zone: 'nimbus-1a', instanceType: 'nb.small' })
      .expect(202);
    const id = created.body.instance.id as string;
    await h.http
      .post('/v1/instances')
      .set(other)
      .send({ name: 'elsewhere', zone: 'nimbus-1a', instanceType: 'nb.small' })
      .expect(202);
    const [first] = await sse.waitFor(1);
    expect(first).toMatchObject({
      id: String(first.data.seq),
      event: 'created',
      data: { resourceType: 'instance', resourceId: id, name: 'web', newState: 'pending' },
    });

    // The clock settles the transition; the next call (or the 1 s tick) fans it out.
    h.clock.advance(1500);
    await h.http.get('/v1/zones').set(h.auth).expect(200);
    await sse.waitFor(2);
    await h.http.delete(`/v1/instances/${id}`).set(h.auth).expect(202);
    h.clock.advance(1000);
    await h.http.get('/v1/zones').set(h.auth).expect(200);
    h.clock.advance(3_600_000);
    await h.http.get('/v1/zones').set(h.auth).expect(200);
    const events = await sse.waitFor(5);
    expect(summary(events)).toEqual([
      'created instance -→pending',
      'updated instance pending→running',
      'updated instance running→shutting-down',
      'updated instance shutting-down→terminated',
      'deleted instance terminated→-',
    ]);
    expect(events.every((e) => e.data.resourceId === id)).toBe(true);
    expect(events[1].data.at).toBe(new Date(Date.parse(events[0].data.at) + 1500).toISOString());
    const seqs = events.map((e) => e.data.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    sse.close();
  });

  it('should stream out-of-band changes and immediate deletions of other resource types', async () => {
    await start({ transitionMs: 0 });
    const instance = (
      await h.http
        .post('/v1/instances')
        .set(h.auth)
        .send({ name: 'node', zone: 'nimbus-1a', instanceType: 'nb.small' })
        .expect(200)
    ).body.instance;
    const network = (await h.http.get('/v1/networks').set(h.auth).expect(200)).body.items[0];
    const sse = await SseClient.open(port, h.auth);
    const route = (
      await h.http
        .post(`/v1/networks/${network.id}/routes`)
        .set(h.auth)
        .send({
          name: 'pods',
          destinationCidr: '10.244.0.0/24',
          nextHop: { instanceId: instance.id },
        })
        .expect(200)
    ).body.route;
    await h.http.post(`/admin/instances/${instance.id}/crash`).set(h.adminAuth).expect(200);
    await h.http.post(`/admin/routes/${route.id}/delete`).set(h.adminAuth).expect(204);
    const events = await sse.waitFor(3);
    expect(summary(events)).toEqual([
      'created route -→active',
      'updated instance running→stopped',
      'deleted route active→-',
    ]);
    expect(events[2].data.at).toBe(new Date(h.clock.now()).toISOString());
    sse.close();
  });

  it('should resume after Last-Event-ID, send heartbeats and forget clients that leave', async () => {
    await start({ eventsHeartbeat: '20ms' });
    const stream = h.app.get(ChangeStream);
    const sse = await SseClient.open(port, h.auth);
    for (const name of ['a', 'b', 'c']) {
      await h.http
        .post('/v1/volumes')
        .set(h.auth)
        .send({ name, zone: 'nimbus-1a', sizeGiB: 1, type: 'standard' })
        .expect(202);
    }
    const live = await sse.waitFor(3);
    expect(live.map((e) => e.data.name)).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < 200 && sse.comments.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(sse.comments).toContain('heartbeat');
    sse.close();
    for (let i = 0; i < 200 && stream.subscriberCount > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(stream.subscriberCount).toBe(0);

    const resumed = await SseClient.open(port, { ...h.auth, 'Last-Event-ID': live[0].id });
    expect((await resumed.waitFor(2)).map((e) => e.data.name)).toEqual(['b', 'c']);
    resumed.close();
    const byQuery = await SseClient.open(
      port,
      h.auth,
      `/v1/events/stream?lastEventId=${live[1].id}`,
    );
    expect((await byQuery.waitFor(1)).map((e) => e.data.name)).toEqual(['c']);
    byQuery.close();

    const bad = await h.http
      .get('/v1/events/stream')
      .set(h.auth)
      .set('Last-Event-ID', 'x')
      .expect(400);
    expect(bad.body.fieldViolations[0].field).toBe('Last-Event-ID');
    await h.http.get('/v1/events/stream').expect(401);
  });
});
