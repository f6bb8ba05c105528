import { DestinationHashScheduler, MaglevHashScheduler, SourceHashScheduler } from './hashing';
import {
  LeastConnectionScheduler,
  NeverQueueScheduler,
  ShortestExpectedDelayScheduler,
  WeightedLeastConnectionScheduler,
} from './least-connection';
import { RoundRobinScheduler, WeightedRoundRobinScheduler } from './round-robin';
import { canonicalSchedulerName, type IpvsSchedulerName, type Scheduler } from './scheduler';

export * from './scheduler';

const FACTORIES: Record<IpvsSchedulerName, () => Scheduler> = {
  rr: () => new RoundRobinScheduler(),
  wrr: () => new WeightedRoundRobinScheduler(),
  lc: () => new LeastConnectionScheduler(),
  wlc: () => new WeightedLeastConnectionScheduler(),
  sed: () => new ShortestExpectedDelayScheduler(),
  nq: () => new NeverQueueScheduler(),
  sh: () => new SourceHashScheduler(),
  dh: () => new DestinationHashScheduler(),
  mh: () => new MaglevHashScheduler(),
};

/** A fresh scheduler (its own rotation state) for a name or alias; throws for unknown names. */
export function createScheduler(name: string): Scheduler {
  const canonical = canonicalSchedulerName(name);
  if (!canonical) {
    throw new RangeError(
      `unknown scheduler "${name}" (one of ${Object.keys(FACTORIES).join(', ')}, round_robin, least_connections, source_ip_hash)`,
    );
  }
  return FACTORIES[canonical]();
}
