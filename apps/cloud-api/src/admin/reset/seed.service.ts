import { Injectable } from '@nestjs/common';
import { IdGenerator } from '@app/common';
import { CloudApiConfig } from '@app/config';
import { RuntimeSettings } from '../../settings/runtime-settings';

export const SEED_KEY = 'seed';

/**
 * The seed of the ID sequence: `--seed`, replaced at runtime by `POST /admin/seed` (stored). A
 * whole reset restarts the sequence, so two runs see the same IDs (and, with the address pools'
 * cursors reset too, the same IPs).
 */
@Injectable()
export class SeedService {
  private current: string | undefined;

  constructor(
    private readonly ids: IdGenerator,
    private readonly runtime: RuntimeSettings,
    private readonly config: CloudApiConfig,
  ) {
    this.current = config.seed;
    runtime.register(SEED_KEY, (stored) => {
      const seed = (stored as string | undefined) ?? config.seed;
      // Only a changed seed restarts the sequence: re-applying must not repeat IDs.
      if (seed !== this.current) {
        this.current = seed;
        ids.reseed(seed);
      }
    });
  }

  get seed(): string | undefined {
    return this.current;
  }

  /** Restarts the sequence from the current seed (no-op for random IDs). */
  restart(): void {
    this.ids.reseed(this.current);
  }

  /** A new seed (undefined: back to `--seed`, or random) and a restarted sequence. */
  use(seed: string | undefined): void {
    this.runtime.save(SEED_KEY, seed);
    seed ??= this.config.seed;
    this.current = seed;
    this.ids.reseed(seed);
  }
}
