import { ManualScheduler } from '../testing/manual-scheduler';
import { EventBroadcaster, type EventBroadcasterOptions } from './broadcaster';
import { objectReference } from './recorder';
import { EventType, type CoreV1Event, type EventCountPatch, type EventSink } from './types';

class HttpError extends Error {
  constructor(readonly code: number) {
    super(`HTTP ${code}`);
  }
}

/** An api-server-like event store. `failNext` queues errors for the next calls. */
class FakeSink implements EventSink {
  readonly events = new Map<string, CoreV1Event>();
  readonly calls: string[] = [];
  readonly patches: EventCountPatch[] = [];
  failNext: Error[] = [];
  private rv = 0;

  create(event: CoreV1Event): Promise<CoreV1Event> {
    this.calls.push(`create ${event.metadata.name}`);
    const err = this.failNext.shift();
    if (err) {
      return Promise.reject(err);
    }
    if (this.events.has(`${event.metadata.namespace}/${event.metadata.name}`)) {
      return Promise.reject(new HttpError(409));
    }
    const stored = {
      ...event,
      metadata: { ...event.metadata, resourceVersion: String(++this.rv) },
    };
    this.events.set(`${event.metadata.namespace}/${event.metadata.name}`, stored);
    return Promise.resolve(stored);
  }

  patch(event: CoreV1Event, patch: EventCountPatch): Promise<CoreV1Event> {
    this.calls.push(`patch ${event.metadata.name}`);
    this.patches.push(patch);
    const err = this.failNext.shift();
    if (err) {
      return Promise.reject(err);
    }
    const key = `${event.metadata.namespace}/${event.metadata.name}`;
    const existing = this.events.get(key);
    if (!existing) {
      return Promise.reject(new HttpError(404));
    }
    const stored = {
      ...existing,
      ...patch,
      metadata: { ...existing.metadata, resourceVersion: String(++this.rv) },
    };
    this.events.set(key, stored);
    return Promise.resolve(stored);
  }

  list(): CoreV1Event[] {
    return [...this.events.values()];
  }
}

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: 'shop', name: 'web', uid: 'u-1', resourceVersion: '7' },
};
const nodeRef = { apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: 'n-1' };

describe('EventBroadcaster / EventRecorder', () => {
  let clock: ManualScheduler;
  let sink: FakeSink;
  const setup = (options: Partial<EventBroadcasterOptions> = {}) => {
    const b = new EventBroadcaster({ sink, scheduler: clock, random: () => 0.5, ...options });
    return { b, rec: b.newRecorder({ component: 'service-controller' }) };
  };

  beforeEach(() => {
    clock = new ManualScheduler(Date.UTC(2026, 0, 1, 12, 0, 0));
    sink = new FakeSink();
  });

  it('should write a core/v1 Event shaped like client-go', async () => {
    const { b, rec } = setup();
    rec.event(service, EventType.Normal, 'EnsuringLoadBalancer', 'Ensuring load balancer');
    await b.flush();
    const [e] = sink.list();
    // random() = 0.5: the sub-millisecond part starts at 250,000 ns.
    const nanos = (BigInt(clock.now()) * 1_000_000n + 250_000n).toString(16);
    expect(e).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `web.${nanos}`, namespace: 'shop', resourceVersion: '1' },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Service',
        namespace: 'shop',
        name: 'web',
        uid: 'u-1',
        resourceVersion: '7',
      },
      reason: 'EnsuringLoadBalancer',
      message: 'Ensuring load balancer',
      type: 'Normal',
      source: { component: 'service-controller' },
      firstTimestamp: '2026-01-01T12:00:00Z',
      lastTimestamp: '2026-01-01T12:00:00Z',
      count: 1,
      reportingComponent: 'service-controller',
      reportingInstance: '',
    });
  });

  it('should name events so that two components writing about one object in one millisecond do not collide', async () => {
    // The PV controller and the provisioner both write an event on a new claim at once; client-go
    // names events with real nanoseconds, so a 409 (and the event dropped) never happens there.
    const pvController = new EventBroadcaster({ sink, scheduler: clock });
    const provisioner = new EventBroadcaster({ sink, scheduler: clock });
    for (let i = 0; i < 20; i++) {
      const claim = { ...service, metadata: { ...service.metadata, uid: `u-${i}` } };
      pvController
        .newRecorder({ component: 'persistentvolume-controller' })
        .event(claim, EventType.Normal, 'ExternalProvisioning', 'waiting for a volume');
      provisioner
        .newRecorder({ component: 'provisioner' })
        .event(claim, EventType.Normal, 'Provisioning', 'provisioning volume');
    }
    await Promise.all([pvController.flush(), provisioner.flush()]);
    expect(sink.list()).toHaveLength(40);
    expect(new Set(sink.list().map((e) => e.metadata.name)).size).toBe(40);
  });
  it('should put events about cluster-scoped objects in the default namespace', async () => {
    const { b } = setup();
    b.newRecorder({ component: 'cloud-node-lifecycle-controller' }).event(
      nodeRef,
      EventType.Normal,
      'DeletingNode',
      'Deleting node node-1 because it does not exist in the cloud provider',
    );
    await b.flush();
    expect(sink.list()[0].metadata.namespace).toBe('default');
    expect(sink.list()[0].involvedObject).toEqual(nodeRef);
  });

  it('should bump count and lastTimestamp of a repeated event via patch instead of creating another', async () => {
    const { b, rec } = setup();
    for (const waitMs of [0, 5000, 10_000]) {
      await clock.advance(waitMs);
      rec.event(
        service,
        EventType.Warning,
        'SyncLoadBalancerFailed',
        'Error syncing load balancer: x',
      );
      await b.flush();
    }
    expect(sink.list()).toHaveLength(1);
    const [e] = sink.list();
    expect(e.count).toBe(3);
    expect(e.firstTimestamp).toBe('2026-01-01T12:00:00Z');
    expect(e.lastTimestamp).toBe('2026-01-01T12:00:15Z');
    expect(sink.calls.map((c) => c.split(' ')[0])).toEqual(['create', 'patch', 'patch']);
    expect(sink.patches[1]).toEqual({
      count: 3,
      lastTimestamp: '2026-01-01T12:00:15Z',
      message: 'Error syncing load balancer: x',
    });
  });

  it('should keep distinct events apart (other message, reason, type or object)', async () => {
    const { b, rec } = setup();
    rec.event(service, EventType.Normal, 'EnsuringLoadBalancer', 'Ensuring load balancer');
    rec.event(service, EventType.Normal, 'EnsuredLoadBalancer', 'Ensured load balancer');
    rec.event(
      { ...service, metadata: { ...service.metadata, name: 'api' } },
      EventType.Normal,
      'EnsuringLoadBalancer',
      'Ensuring load balancer',
    );
    rec.event(service, EventType.Warning, 'EnsuringLoadBalancer', 'Ensuring load balancer');
    await b.flush();
    expect(sink.list()).toHaveLength(4);
    expect(new Set(sink.list().map((e) => e.metadata.name)).size).toBe(4);
  });

  it('should create the event afresh when the patched one expired on the server (404)', async () => {
    const { b, rec } = setup();
    const updated = () =>
      rec.event(
        service,
        EventType.Normal,
        'UpdatedLoadBalancer',
        'Updated load balancer with new hosts',
      );
    updated();
    await b.flush();
    sink.events.clear();
    updated();
    await b.flush();
    expect(sink.calls.map((c) => c.split(' ')[0])).toEqual(['create', 'patch', 'create']);
    expect(sink.list()[0].count).toBe(2);
    expect(sink.list()[0].metadata.resourceVersion).toBe('2');
  });

  it('should combine the 10th distinct message for one reason into an aggregate event', async () => {
    const { b, rec } = setup();
    for (let i = 1; i <= 11; i++) {
      rec.event(service, EventType.Warning, 'UpdateLoadBalancerFailed', `error ${i}`);
    }
    await b.flush();
    const combined = sink
      .list()
      .filter((e) => e.message.startsWith('(combined from similar events): '));
    expect(sink.list()).toHaveLength(10);
    expect(combined).toHaveLength(1);
    expect(combined[0].count).toBe(2);
    expect(combined[0].message).toBe('(combined from similar events): error 11');
  });

  it('should drop events beyond a burst of 25 per source and object, refilling one per 5 minutes', async () => {
    const { b, rec } = setup();
    for (let i = 0; i < 30; i++) {
      rec.event(service, EventType.Normal, `Reason${i}`, 'same');
    }
    await b.flush();
    expect(sink.calls).toHaveLength(25);
    rec.event(nodeRef, EventType.Normal, 'Other', 'object');
    await b.flush();
    expect(sink.calls).toHaveLength(26);
    await clock.advance(300_000);
    rec.event(service, EventType.Normal, 'Later', 'x');
    rec.event(service, EventType.Normal, 'Later2', 'x');
    await b.flush();
    expect(sink.calls).toHaveLength(27);
  });

  it('should retry connection failures (first sleep randomised, then 10 s) and give up on rejections', async () => {
    const { b, rec } = setup();
    sink.failNext = [new Error('ECONNREFUSED'), new Error('ECONNREFUSED')];
    rec.event(service, EventType.Normal, 'A', 'a');
    await clock.advance(4999);
    expect(sink.calls).toHaveLength(1);
    await clock.advance(1);
    expect(sink.calls).toHaveLength(2);
    await clock.advance(10_000);
    await b.flush();
    expect(sink.calls).toHaveLength(3);
    expect(sink.list()).toHaveLength(1);

    sink.failNext = [new HttpError(403)];
    rec.event(service, EventType.Normal, 'B', 'b');
    await b.flush();
    expect(sink.calls).toHaveLength(4);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('should give up after 12 tries', async () => {
    const { b, rec } = setup();
    sink.failNext = Array.from({ length: 20 }, () => new Error('down'));
    rec.event(service, EventType.Normal, 'A', 'a');
    for (let i = 0; i < 20; i++) {
      await clock.advance(10_000);
    }
    await b.flush();
    expect(sink.calls).toHaveLength(12);
  });

  it('should reject unsupported types and objects without kind', async () => {
    const { b, rec } = setup();
    rec.event(service, 'Error' as EventType, 'X', 'y');
    rec.event({ metadata: { name: 'no-kind' } }, EventType.Normal, 'X', 'y');
    rec.event(
      objectReference({ metadata: { name: 'n', uid: 'u' } }, { apiVersion: 'v1', kind: 'Node' }),
      EventType.Normal,
      'Synced',
      'Node synced successfully',
    );
    await b.flush();
    expect(sink.list().map((e) => e.reason)).toEqual(['Synced']);
    expect(sink.list()[0].involvedObject).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      name: 'n',
      uid: 'u',
    });
  });

  it('should name events uniquely within one millisecond and carry annotations', async () => {
    const { b, rec } = setup();
    rec.annotatedEvent(service, { 'nimbus.io/x': 'y' }, EventType.Normal, 'A', 'a');
    rec.event(service, EventType.Normal, 'B', 'b');
    await b.flush();
    const [first, second] = sink.list();
    expect(first.metadata.annotations).toEqual({ 'nimbus.io/x': 'y' });
    expect(
      BigInt(`0x${second.metadata.name.split('.')[1]}`) -
        BigInt(`0x${first.metadata.name.split('.')[1]}`),
    ).toBe(1n);
  });

  it('should drop events once shut down', async () => {
    const { b, rec } = setup();
    b.shutdown();
    rec.event(service, EventType.Normal, 'A', 'a');
    await b.flush();
    expect(sink.calls).toHaveLength(0);
  });
});
