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
 * How long transitions take. `--transition-ms` overrides them all (0 = immediate); a later admin
 * API changes single entries at runtime.
 */
@Injectable()
export class TransitionDurations {
  private readonly durations: Record<string, number>;

  constructor(config: CloudApiConfig) {
    this.durations = { ...DEFAULT_TRANSITION_MS };
    if (config.transitionMs !== undefined) {
      for (const key of Object.keys(this.durations)) {
        this.durations[key] = config.transitionMs;
      }
    }
  }

  /** e.g. of('instance', 'pending'). */
  of(resource: string, transitionalState: string): number {
    return this.durations[`${resource}.${transitionalState}`] ?? 0;
  }

  all(): Record<string, number> {
    return { ...this.durations };
  }

  set(key: string, ms: number): void {
    this.durations[key] = ms;
  }
}
