import { readEnv } from './env';

export interface PropertyTestSettings {
  /** fast-check seed: fixed in CI so a failure replays; NIMBUS_PROPERTY_SEED picks another. */
  seed: number;
  /** Generated cases per property; NIMBUS_PROPERTY_RUNS raises it for a deeper local run. */
  numRuns: number;
}

/**
 * Seed and run count of the generated (property-based) test suites. CI keeps the cost bounded with
 * a fixed seed and `defaultRuns`; `NIMBUS_PROPERTY_RUNS=5000 npx jest bad-input` digs deeper.
 */
export function propertyTestSettings(defaultRuns: number): PropertyTestSettings {
  const seed = Number(readEnv('--property-seed') ?? 20261126);
  const numRuns = Number(readEnv('--property-runs') ?? defaultRuns);
  if (!Number.isInteger(seed) || !Number.isInteger(numRuns) || numRuns < 1) {
    throw new Error('NIMBUS_PROPERTY_SEED and NIMBUS_PROPERTY_RUNS must be integers (runs ≥ 1)');
  }
  return { seed, numRuns };
}
