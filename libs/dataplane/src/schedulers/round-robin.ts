import type { Candidate, Scheduler } from './scheduler';

/** `rr`: each new connection goes to the next eligible backend in order. */
export class RoundRobinScheduler implements Scheduler {
  readonly name = 'rr';
  private next = 0;

  pick(candidates: readonly Candidate[]): Candidate {
    const chosen = candidates[this.next % candidates.length];
    this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER;
    return chosen;
  }
}

/**
 * `wrr`: round robin in proportion to the weights, interleaved (nginx's smooth weighted round
 * robin: weights 5,1,1 give a a b a c a a, not a a a a a b c).
 */
export class WeightedRoundRobinScheduler implements Scheduler {
  readonly name = 'wrr';
  private readonly current = new Map<string, number>();

  pick(candidates: readonly Candidate[]): Candidate {
    let total = 0;
    let best: Candidate | undefined;
    let bestWeight = Number.NEGATIVE_INFINITY;
    const seen = new Set<string>();
    for (const c of candidates) {
      const w = (this.current.get(c.id) ?? 0) + c.weight;
      this.current.set(c.id, w);
      seen.add(c.id);
      total += c.weight;
      if (w > bestWeight) {
        best = c;
        bestWeight = w;
      }
    }
    for (const id of this.current.keys()) {
      if (!seen.has(id)) {
        this.current.delete(id);
      }
    }
    this.current.set(best!.id, bestWeight - total);
    return best!;
  }
}
