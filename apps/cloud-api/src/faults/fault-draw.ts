import { createHash } from 'node:crypto';
import type { FaultEffectDto } from '@app/cloud-contracts';

/**
 * A repeatable draw in [0, 1) for the nth matching call of a rule: the same seed gives the same
 * sequence, whatever the timing (no Math.random, as domain code never uses it).
 */
export function draw(seed: string, n: number, salt: string): number {
  const digest = createHash('sha256').update(`${seed}:${n}:${salt}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The added latency of the nth matching call (fixed, uniform or normal, never negative). */
export function latencyOf(effect: FaultEffectDto, seed: string, n: number): number {
  switch (effect.distribution) {
    case 'uniform': {
      const min = effect.minMs ?? 0;
      return Math.round(min + draw(seed, n, 'latency') * ((effect.maxMs ?? min) - min));
    }
    case 'normal': {
      // Box-Muller from two independent draws.
      const u = 1 - draw(seed, n, 'latency-u');
      const v = draw(seed, n, 'latency-v');
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.max(0, Math.round((effect.meanMs ?? 0) + z * (effect.stddevMs ?? 0)));
    }
    case 'fixed':
    case undefined:
      return effect.ms ?? 0;
  }
}
