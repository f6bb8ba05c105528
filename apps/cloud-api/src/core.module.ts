import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AdjustableClock, Clock, IdGenerator } from '@app/common';
import { CloudApiConfig } from '@app/config';
import { randomBytes } from 'node:crypto';
import { AddressAllocator } from './addresses/address-allocator';
import { IdempotencyRepository } from './conventions/idempotency/idempotency.repository';
import { MutationRunner } from './conventions/mutation-runner';
import { PageTokenCodec } from './conventions/page-token';
import {
  DatabaseLifecycle,
  dataSourceProvider,
  sqliteDatabaseProvider,
} from './database/database.providers';
import { MaintenanceTicker } from './maintenance.ticker';
import { WalCheckpoints } from './database/wal-checkpoints';
import { HttpMetrics } from './metrics/http-metrics';
import { RuntimeSettings } from './settings/runtime-settings';
import { SettingsRepository } from './settings/settings.repository';
import { TransitionDurations } from './transitions/transition-durations';
import { TransitionSettler } from './transitions/transition-settler';
import { LatencyDelay, RealLatencyDelay } from './faults/latency-delay';

export interface CloudApiRuntime {
  /** The clock everything reads; tests pass one they control. */
  clock?: AdjustableClock;
  /** How latency faults wait (real time by default); tests pass one they release. */
  latencyDelay?: LatencyDelay;
}

/** Shared infrastructure every feature module uses: config, clock, ids, database, API conventions. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: CloudApiConfig, runtime: CloudApiRuntime = {}): DynamicModule {
    const clock = runtime.clock ?? new AdjustableClock();
    const providers = [
      { provide: CloudApiConfig, useValue: config },
      { provide: Clock, useValue: clock },
      { provide: AdjustableClock, useValue: clock },
      { provide: IdGenerator, useValue: new IdGenerator(config.seed) },
      { provide: LatencyDelay, useValue: runtime.latencyDelay ?? new RealLatencyDelay() },
      dataSourceProvider,
      sqliteDatabaseProvider,
      DatabaseLifecycle,
      SettingsRepository,
      RuntimeSettings,
      {
        provide: PageTokenCodec,
        inject: [SettingsRepository],
        useFactory: (settings: SettingsRepository) =>
          new PageTokenCodec(
            settings.getOrCreate('page_token_secret', () => randomBytes(32).toString('hex')),
          ),
      },
      IdempotencyRepository,
      MutationRunner,
      TransitionDurations,
      TransitionSettler,
      AddressAllocator,
      HttpMetrics,
      MaintenanceTicker,
      WalCheckpoints,
    ];
    return {
      module: CoreModule,
      providers,
      exports: providers.map((p) => ('provide' in p ? p.provide : p)),
    };
  }
}
