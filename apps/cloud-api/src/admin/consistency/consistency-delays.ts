import { Injectable } from '@nestjs/common';
import type { ConsistencyDto } from '@app/cloud-contracts';
import { RuntimeSettings } from '../../settings/runtime-settings';
import { durationMap } from '../duration-field';

export const CONSISTENCY_KEY = 'consistency_delays';

/** Resource types with a read-after-create delay, by the collection in their route. */
export const CONSISTENT_COLLECTIONS: Record<string, string> = {
  instances: 'instance',
  volumes: 'volume',
  networks: 'network',
  routes: 'route',
  'load-balancers': 'loadBalancer',
};

const TYPES = Object.values(CONSISTENT_COLLECTIONS);

/**
 * Simulated eventual consistency (off by default): for `delay(type)` ms after its creation a
 * resource answers 404 to GET and is missing from lists, as on EC2 after RunInstances.
 */
@Injectable()
export class ConsistencyDelays {
  private delays: Record<string, number> = {};

  constructor(private readonly runtime: RuntimeSettings) {
    runtime.register(CONSISTENCY_KEY, (value) => {
      this.delays = (value as Record<string, number> | undefined) ?? {};
    });
  }

  /** 0 when reads of new resources of this type are consistent. */
  of(type: string): number {
    return this.delays[type] ?? 0;
  }

  get any(): boolean {
    return Object.values(this.delays).some((ms) => ms > 0);
  }

  view(): ConsistencyDto {
    return { delaysMs: Object.fromEntries(TYPES.map((type) => [type, this.of(type)])) };
  }

  set(body: unknown): ConsistencyDto {
    const delays = { ...this.delays, ...durationMap(body, TYPES, 'resource type') };
    const kept = Object.fromEntries(Object.entries(delays).filter(([, ms]) => ms > 0));
    this.runtime.save(CONSISTENCY_KEY, Object.keys(kept).length > 0 ? kept : undefined);
    this.delays = kept;
    return this.view();
  }
}
