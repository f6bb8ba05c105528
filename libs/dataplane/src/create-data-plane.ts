import { AdjustableClock } from '@app/common';
import { DataPlane, type DataPlaneHandle, type DataPlaneOptions } from './data-plane';
import { ThreadedDataPlane } from './thread/threaded-data-plane';

/**
 * A data plane for an owner (the cloud's load balancers, kube-proxy): in the process's data plane
 * thread when `thread` is set and the clock can be shared with it (an AdjustableClock, or none),
 * else in this thread (a test's injected probe or clock).
 */
export function createDataPlane(
  options: DataPlaneOptions & {
    thread: boolean;
    /** The thread died and a new one took over (threaded only): for the owner's log. */
    onThreadRestart?: (error: Error) => void;
  },
): DataPlaneHandle {
  const { thread, clock, probe, onThreadRestart, ...rest } = options;
  const shareableClock = clock === undefined || clock instanceof AdjustableClock;
  if (thread && shareableClock && !probe) {
    return new ThreadedDataPlane({ ...rest, clock, onThreadRestart });
  }
  return new DataPlane({ clock, probe, ...rest });
}
