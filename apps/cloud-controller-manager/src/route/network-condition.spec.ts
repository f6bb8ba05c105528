import { ManualScheduler, noopLogger } from '@app/controller-runtime';
import { NetworkConditionUpdater } from './network-condition';
import { FakeConditionWriter, node } from './testing/route-fakes';

const conflict = Object.assign(new Error('conflict'), { code: 409 });

describe('NetworkConditionUpdater', () => {
  function setup() {
    const scheduler = new ManualScheduler();
    const writer = new FakeConditionWriter();
    const updater = new NetworkConditionUpdater(writer, scheduler, noopLogger, () => 0);
    return { scheduler, writer, updater };
  }

  it('should write True/NoRouteCreated over False/RouteCreated', async () => {
    const { writer, updater } = setup();
    const n = node('a', [], {
      conditions: [{ type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' }],
    });
    await expect(updater.update(n, false)).resolves.toBe(true);
    expect(writer.writes.map((w) => [w.condition.status, w.condition.reason])).toEqual([
      ['True', 'NoRouteCreated'],
    ]);
  });

  it('should retry conflicts up to five attempts, 100 ms apart', async () => {
    const { scheduler, writer, updater } = setup();
    writer.failures.push(conflict, conflict, conflict, conflict);
    const done = updater.update(node('a'), true);
    await scheduler.advance(399);
    expect(writer.writes).toEqual([]);
    await scheduler.advance(1);
    await expect(done).resolves.toBe(true);
    expect(writer.writes).toHaveLength(1);
  });

  it('should give up after five conflicts', async () => {
    const { scheduler, writer, updater } = setup();
    writer.failures.push(conflict, conflict, conflict, conflict, conflict);
    const done = updater.update(node('a'), true);
    await scheduler.advance(1_000);
    await expect(done).resolves.toBe(false);
    expect(writer.writes).toEqual([]);
  });

  it('should not retry other errors', async () => {
    const { writer, updater } = setup();
    writer.failures.push(Object.assign(new Error('nope'), { code: 500 }));
    await expect(updater.update(node('a'), true)).resolves.toBe(false);
    expect(writer.failures).toEqual([]);
    expect(writer.writes).toEqual([]);
  });
});
