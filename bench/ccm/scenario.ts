import type { CcmHarness } from '../../apps/cloud-controller-manager/test/harness';

/** One row of a scenario's result table. */
export type BenchRow = [measurement: string, value: string];

/**
 * A CCM bench scenario. Each gets the same in-process stack (api-server + cloud API, transitions
 * at 0) and starts its own CCM(s) with the flags it reports. Add a scenario by listing it in run.ts.
 */
export interface CcmBenchScenario {
  /** Short id, also the docs marker: `<!-- ccm-<id>:start -->`. */
  id: string;
  title: string;
  /** Markdown paragraph(s) describing the setup and the concurrency settings used. */
  describe(): string;
  run(stack: CcmHarness): Promise<BenchRow[]>;
}

export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const millis = (ms: number) => `${ms.toFixed(0)} ms`;

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        await fn(items[next++]);
      }
    }),
  );
}
