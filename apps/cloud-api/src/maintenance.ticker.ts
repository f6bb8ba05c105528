import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Clock } from '@app/common';
import { IdempotencyRepository } from './conventions/idempotency/idempotency.repository';
import { RuntimeSettings } from './settings/runtime-settings';
import { TransitionSettler } from './transitions/transition-settler';

const TICK_MS = 1000;
const PURGE_EVERY_MS = 60_000;

/** Work other features do on every tick, after the settle (flush buffers, purge old rows, fan out). */
export type TickListener = (now: number) => void;

/**
 * Background upkeep: picks up runtime settings other processes changed, settles due transitions
 * even when nobody calls the API (so the database and the change stream follow the clock), purges
 * expired idempotency keys, and runs the features' tick listeners (audit log flush and retention,
 * change stream fan-out).
 */
@Injectable()
export class MaintenanceTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private lastPurge = 0;
  private readonly listeners: TickListener[] = [];

  constructor(
    private readonly settler: TransitionSettler,
    private readonly keys: IdempotencyRepository,
    private readonly clock: Clock,
    private readonly runtime: RuntimeSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  onTick(listener: TickListener): void {
    this.listeners.push(listener);
  }

  tick(): void {
    this.runtime.sync();
    this.settler.settle(true);
    const now = this.clock.now();
    this.listeners.forEach((listener) => listener(now));
    // A clock set backwards would otherwise postpone purging until it caught up again.
    if (now - this.lastPurge >= PURGE_EVERY_MS || now < this.lastPurge) {
      this.keys.purgeExpired(now);
      this.lastPurge = now;
    }
  }
}
