import { Injectable } from '@nestjs/common';
import type { TransitionsDto } from '@app/cloud-contracts';
import { RuntimeSettings } from '../../settings/runtime-settings';
import { TransitionDurations } from '../../transitions/transition-durations';
import { durationMap } from '../duration-field';

export const TRANSITIONS_KEY = 'transition_overrides';

/**
 * Runtime overrides of transition durations, stored so they survive a restart. They apply to
 * transitions that start afterwards; running ones keep the end they were given.
 */
@Injectable()
export class TransitionsAdminService {
  constructor(
    private readonly durations: TransitionDurations,
    private readonly runtime: RuntimeSettings,
  ) {
    runtime.register(TRANSITIONS_KEY, (overrides) =>
      durations.setOverrides((overrides as Record<string, number> | undefined) ?? {}),
    );
  }

  view(): TransitionsDto {
    return { durationsMs: this.durations.all(), overridesMs: this.durations.runtimeOverrides() };
  }

  /** Merges `body` (key → duration) into the overrides; bad keys or values change nothing. */
  set(body: unknown): TransitionsDto {
    const changes = durationMap(body, this.durations.keys(), 'transition');
    const overrides = { ...this.durations.runtimeOverrides(), ...changes };
    this.runtime.save(TRANSITIONS_KEY, overrides);
    this.durations.setOverrides(overrides);
    return this.view();
  }

  clear(): TransitionsDto {
    this.runtime.save(TRANSITIONS_KEY, undefined);
    this.durations.setOverrides({});
    return this.view();
  }
}
