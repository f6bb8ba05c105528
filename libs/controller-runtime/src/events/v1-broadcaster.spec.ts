import { ManualScheduler } from '../testing/manual-scheduler';
import { EventType } from './types';
import { EventsV1Broadcaster } from './v1-broadcaster';
import type { EventSeriesPatch, EventsV1Event, EventsV1Sink } from './v1-types';

class FakeSink implements EventsV1Sink {
  readonly events = new Map<string, EventsV1Event>();
  readonly calls: string[] = [];
  failNext: Error[] = [];

  create(event: EventsV1Event): Promise<EventsV1Event> {
    this.calls.push(`create ${event.reason}`);
    const err = this.failNext.shift();
    if (err) {
      return Promise.reject(err);
    }
    this.events.set(event.metadata.name, structuredClone(event));
    return Promise.resolve(event);
  }

  patch(event: EventsV1Event, patch: EventSeriesPatch): Promise<EventsV1Event> {
    this.calls.push(`patch ${event.reason} ${patch.series.count}`);
    const stored = this.events.get(event.metadata.name);
    if (!stored) {
      return Promise.reject(Object.assign(new Error('not found'), { code: 404 }));
    }
    stored.series = { ...patch.series };
    return Promise.resolve(stored);
  }
}

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'shop', name: 'web', uid: 'u-1', resourceVersion: '7' },
};

describe('EventsV1Broadcaster', () => {
  let clock: ManualScheduler;
  let sink: FakeSink;
  let b: EventsV1Broadcaster;

  beforeEach(() => {
    clock = new ManualScheduler(Date.UTC(2026, 0, 1, 12, 0, 0));
    sink = new FakeSink();
    b = new EventsV1Broadcaster({ sink, scheduler: clock, hostname: 'host-a', random: () => 0 });
  });
  afterEach(() => b.shutdown());

  it('writes an events.k8s.io/v1 Event like client-go tools/events', async () => {
    b.newRecorder('default-scheduler').eventf(
      pod,
      undefined,
      EventType.Warning,
      'FailedScheduling',
      'Scheduling',
      '0/3 nodes are available: 3 Insufficient cpu.',
    );
    await b.flush();
    const nanos = (BigInt(clock.now()) * 1_000_000n).toString(16);
    expect([...sink.events.values()]).toEqual([
      {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: `web.${nanos}`, namespace: 'shop' },
        eventTime: '2026-01-01T12:00:00.000000Z',
        reportingController: 'default-scheduler',
        reportingInstance: 'default-scheduler-host-a',
        action: 'Scheduling',
        reason: 'FailedScheduling',
        regarding: {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: 'shop',
          name: 'web',
          uid: 'u-1',
          resourceVersion: '7',
        },
        note: '0/3 nodes are available: 3 Insufficient cpu.',
        type: 'Warning',
      },
    ]);
  });

  it('turns repeats into a series: count 2 is patched, later repeats wait for the finish', async () => {
    const rec = b.newRecorder('default-scheduler');
    b.start();
    const again = () =>
      rec.eventf(pod, undefined, EventType.Warning, 'FailedScheduling', 'Scheduling', 'x');
    again();
    await b.flush();
    await clock.advance(1000);
    again();
    await b.flush();
    await clock.advance(1000);
    again();
    await b.flush();
    expect(sink.calls).toEqual(['create FailedScheduling', 'patch FailedScheduling 2']);
    // The 6-minute check after the series has been quiet for 6 minutes writes its final count.
    await clock.advance(6 * 60_000);
    await b.flush();
    expect(sink.calls).toHaveLength(2);
    await clock.advance(6 * 60_000);
    await b.flush();
    expect(sink.calls).toEqual([
      'create FailedScheduling',
      'patch FailedScheduling 2',
      'patch FailedScheduling 3',
    ]);
    const [stored] = sink.events.values();
    expect(stored.series).toEqual({ count: 3, lastObservedTime: '2026-01-01T12:00:02.000000Z' });
  });

  it('keeps events about different objects or reasons apart', async () => {
    const rec = b.newRecorder('default-scheduler');
    rec.eventf(pod, undefined, EventType.Normal, 'Scheduled', 'Binding', 'a');
    rec.eventf(
      { ...pod, metadata: { ...pod.metadata, resourceVersion: '8' } },
      undefined,
      EventType.Normal,
      'Scheduled',
      'Binding',
      'a',
    );
    rec.eventf(pod, undefined, EventType.Warning, 'FailedScheduling', 'Scheduling', 'a');
    await b.flush();
    expect(sink.calls.filter((c) => c.startsWith('create'))).toHaveLength(3);
  });

  it('retries connection failures, gives up on rejections', async () => {
    const rec = b.newRecorder('default-scheduler');
    sink.failNext = [new Error('ECONNREFUSED')];
    rec.eventf(pod, undefined, EventType.Normal, 'Scheduled', 'Binding', 'a');
    await clock.advance(10_000);
    await b.flush();
    expect(sink.calls).toEqual(['create Scheduled', 'create Scheduled']);
    sink.failNext = [Object.assign(new Error('forbidden'), { code: 403 })];
    rec.eventf(pod, undefined, EventType.Normal, 'Other', 'Binding', 'b');
    await b.flush();
    expect(sink.calls).toHaveLength(3);
    expect(clock.pendingTimers()).toBe(0);
  });
});
