import type { Candidate, PickContext, Scheduler } from './scheduler';

/**
 * The hashing schedulers use weighted rendezvous hashing: every (key, backend) pair gets a
 * score and the highest wins. A key keeps its backend while that backend stays eligible; when a
 * backend leaves, only its own keys move (IPVS `sh` re-maps more, `mh` about as little).
 */
function rendezvous(candidates: readonly Candidate[], key: string): Candidate {
  let best = candidates[0];
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    const score = c.weight / -Math.log(unitHash(`${key}\u0000${c.id}`));
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** A hash of `text` in (0, 1): FNV-1a, then murmur3's finaliser to spread the bits. */
export function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h >>> 0) + 0.5) / 2 ** 32;
}

/** `sh`: by source address — one client, one backend. */
export class SourceHashScheduler implements Scheduler {
  readonly name = 'sh';
  pick(candidates: readonly Candidate[], context: PickContext): Candidate {
    return rendezvous(candidates, context.client);
  }
}

/**
 * `mh`: IPVS's Maglev hashing, by source address with minimal disruption. Rendezvous hashing has
 * the same properties (consistent, weight-aware), so `mh` picks exactly as `sh` does here.
 */
export class MaglevHashScheduler implements Scheduler {
  readonly name = 'mh';
  pick(candidates: readonly Candidate[], context: PickContext): Candidate {
    return rendezvous(candidates, context.client);
  }
}

/** `dh`: by destination — every client of one listener address reaches the same backend. */
export class DestinationHashScheduler implements Scheduler {
  readonly name = 'dh';
  pick(candidates: readonly Candidate[], context: PickContext): Candidate {
    return rendezvous(candidates, context.destination);
  }
}
