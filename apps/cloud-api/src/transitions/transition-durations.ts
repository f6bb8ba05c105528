import { Injectable } from '@nestjs/common';
import { CloudApiConfig } from '@app/config';

/** Default time a resource spends in each transitional state (ms). */
export const DEFAULT_TRANSITION_MS: Record<string, number> = {
  'instance.pending': 1500,
  'instance.stopping': 1000,
  'instance.shutting-down': 1000,
  'instance.rebooting': 1000,
  'volume.creating': 1000,
  'volume.attaching': 1000,
  'volume.detaching': 1000,
  /** The volume keeps its state; only the resize operation takes time. */
  'volume.resizing': 1000,
  'volume.deleting': 1000,
  'route.creating': 1000,
  'loadBalancer.provisioning': 1500,
  'loadBalancer.updating': 1000,
  'loadBalancer.deleting': 1000,
};

/**
 * How long transitions take: the defaults above, `--transition-ms` over all of them (0 =
 * immediate), then runtime overrides from the admin API (`PUT /admin/transitions`) per entry.
 */
@Injectable()
export class TransitionDurations {
  private readonly configured: Record<string, number>;
  private durations: Record<string, number>;
  private overrides: Record<string, number> = {};

  constructor(config: CloudApiConfig) {
    this.configured = { ...DEFAULT_TRANSITION_MS };
    if (config.transitionMs !== undefined) {
      for (const key of Object.keys(this.configured)) {
        this.configured[key] = config.transitionMs;
      }
    }
    this.durations = { ...this.configured };
  }

  /** e.g. of('instance', 'pending'). */
  of(resource: string, transitionalState: string): number {
    return this.durations[`${resource}.${transitionalState}`] ?? 0;
  }

  all(): Record<string, number> {
    return { ...this.durations };
  }

  /** The known keys, e.g. `instance.pending`. */
  keys(): string[] {
    return Object.keys(this.configured);
  }

  runtimeOverrides(): Record<string, number> {
    return { ...this.overrides };
  }

  /** Replaces the runtime overrides (known keys only; the caller validated them). */
  setOverrides(overrides: Record<string, number>): void {
    this.overrides = { ...overrides };
    this.durations = { ...this.configured, ...this.overrides };
  }
}
