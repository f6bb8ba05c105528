import type { Candidate, IpvsSchedulerName, Scheduler } from './scheduler';

/**
 * The least-connection family: the backend with the lowest cost wins. IPVS breaks ties by list
 * order, which would send every short sequential connection to the first backend (its costs are
 * all 0 between connections); here ties rotate, so idle backends share the load.
 */
abstract class LowestCostScheduler implements Scheduler {
  abstract readonly name: IpvsSchedulerName;
  private rotation = 0;

  protected abstract cost(c: Candidate): number;

  pick(candidates: readonly Candidate[]): Candidate {
    return this.rotate(lowest(candidates, (c) => this.cost(c)));
  }

  protected rotate(tied: readonly Candidate[]): Candidate {
    const chosen = tied[this.rotation % tied.length];
    this.rotation = (this.rotation + 1) % Number.MAX_SAFE_INTEGER;
    return chosen;
  }
}

function lowest(candidates: readonly Candidate[], cost: (c: Candidate) => number): Candidate[] {
  let best = Number.POSITIVE_INFINITY;
  let tied: Candidate[] = [];
  for (const c of candidates) {
    const value = cost(c);
    if (value < best) {
      best = value;
      tied = [c];
    } else if (value === best) {
      tied.push(c);
    }
  }
  return tied;
}

/** `lc`: fewest active connections. */
export class LeastConnectionScheduler extends LowestCostScheduler {
  readonly name = 'lc';
  protected cost(c: Candidate): number {
    return c.active;
  }
}

/** `wlc`: fewest active connections per unit of weight. */
export class WeightedLeastConnectionScheduler extends LowestCostScheduler {
  readonly name = 'wlc';
  protected cost(c: Candidate): number {
    return c.active / c.weight;
  }
}

/** `sed`: shortest expected delay, (active + 1) / weight. */
export class ShortestExpectedDelayScheduler extends LowestCostScheduler {
  readonly name = 'sed';
  protected cost(c: Candidate): number {
    return (c.active + 1) / c.weight;
  }
}

/** `nq`: never queue — an idle backend if there is one, otherwise shortest expected delay. */
export class NeverQueueScheduler extends LowestCostScheduler {
  readonly name = 'nq';

  protected cost(c: Candidate): number {
    return (c.active + 1) / c.weight;
  }

  override pick(candidates: readonly Candidate[]): Candidate {
    const idle = candidates.filter((c) => c.active === 0);
    return idle.length > 0 ? this.rotate(idle) : super.pick(candidates);
  }
}
