import type { CcmHarness } from '../../apps/cloud-controller-manager/test/harness';

/** One row of a scenario's result table. */
export type BenchRow = [measurement: string, value: string];

/** `npm run bench:ccm -- [--runs N] [--services N]`. */
export interface BenchOptions {
  /** Runs per setting (scenarios that run each setting in fresh processes). */
  runs: number;
  /** Overrides the Service count of the services scenario (a quick check of the script). */
  services?: number;
}

interface ScenarioBase {
  /** Short id, also the docs marker: `<!-- ccm-<id>:start -->`. */
  id: string;
  title: string;
  /** Markdown paragraph(s) describing the setup and every setting used. */
  describe(options: BenchOptions): string;
}

/**
 * A CCM bench scenario on the shared in-process stack of run.ts (api-server + cloud API,
 * transitions at 0, cloud throttling off); it starts its own CCM(s) with the flags it reports.
 */
export interface SharedStackScenario extends ScenarioBase {
  ownProcesses?: false;
  run(stack: CcmHarness, options: BenchOptions): Promise<BenchRow[]>;
}

/** A scenario that starts a fresh process (stack and CCM) for each of its runs. */
export interface OwnProcessScenario extends ScenarioBase {
  ownProcesses: true;
  run(options: BenchOptions): Promise<BenchRow[]>;
}

/** Add a scenario by listing it in run.ts. */
export type CcmBenchScenario = SharedStackScenario | OwnProcessScenario;

export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** `median (min–max)` of one figure over the runs. */
export const spread = (xs: number[], format: (x: number) => string) =>
  xs.length === 1
    ? format(xs[0])
    : `${format(median(xs))} (${format(Math.min(...xs))}–${format(Math.max(...xs))})`;

/**
 * The settings in the order of one round: each round starts one later, so drift of the shared
 * machine's load does not follow a setting.
 */
export const rotated = <T>(settings: readonly T[], round: number): T[] =>
  settings.map((_, i) => settings[(i + round) % settings.length]);

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
