import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How an injected latency fault waits. Real time by default (it simulates the network); tests
 * inject one they release themselves, so they never assert on durations.
 */
export abstract class LatencyDelay {
  abstract wait(ms: number): Promise<void>;
}

export class RealLatencyDelay extends LatencyDelay {
  async wait(ms: number): Promise<void> {
    await sleep(ms);
  }
}
