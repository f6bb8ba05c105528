import type { ControllerContext, ControllerDescriptor } from './controller-context';
import { runControllers } from './run-controllers';

/** A controller whose stop takes until `finishStop` is called. */
function slowStopping() {
  let finishStop!: () => void;
  const stopped = new Promise<void>((resolve) => (finishStop = resolve));
  const descriptor: ControllerDescriptor = {
    name: 'slow',
    fullName: 'slow-controller',
    init: () => ({ start: () => Promise.resolve({ stop: () => stopped }) }),
  };
  return { descriptor, finishStop };
}

const context = (): ControllerContext =>
  ({
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    cloud: {},
    informers: { start: () => Promise.resolve(), stop: () => Promise.resolve() },
  }) as unknown as ControllerContext;

describe('runControllers', () => {
  it('should make stop() wait for the drain the leadership abort already started', async () => {
    const { descriptor, finishStop } = slowStopping();
    const leadership = new AbortController();
    const set = await runControllers([descriptor], context(), leadership.signal);
    leadership.abort(); // starts stopping, as losing the lease or close() does
    let returned = false;
    const stop = set.stop().then(() => (returned = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(returned).toBe(false);
    finishStop();
    await stop;
    expect(returned).toBe(true);
  });
});
