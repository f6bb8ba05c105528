import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { AdjustableClock, invalidArgument, type ClockState } from '@app/common';
import type { ChangeClockRequest, ClockDto } from '@app/cloud-contracts';
import { RuntimeSettings } from '../../settings/runtime-settings';
import { TransitionSettler } from '../../transitions/transition-settler';
import { durationField } from '../duration-field';

const CLOCK_KEY = 'clock';
/** The latest instant the clock may show: later years need ISO 8601's extended (±YYYYYY) form. */
const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The admin view of the injected clock. Its state (frozen instant, or offset from the wall clock)
 * is stored in SQLite on every change and at shutdown, and restored at start.
 */
@Injectable()
export class ClockAdminService implements BeforeApplicationShutdown {
  constructor(
    private readonly clock: AdjustableClock,
    private readonly runtime: RuntimeSettings,
    private readonly settler: TransitionSettler,
  ) {
    runtime.register(CLOCK_KEY, (state) => {
      if (state !== undefined) {
        clock.restore(state as ClockState);
        settler.invalidate();
      }
    });
  }

  view(): ClockDto {
    return { now: this.clock.nowIso(), frozen: this.clock.frozen };
  }

  /** Freeze, set, advance, unfreeze — in that order; then everything now due settles. */
  change(req: ChangeClockRequest): ClockDto {
    const setTo = req.set === undefined ? undefined : parseInstant(req.set);
    const advanceMs = req.advance === undefined ? 0 : durationField(req.advance, 'advance');
    // Checked before anything moves: a bad request leaves the clock as it was.
    const from = setTo ?? this.clock.now();
    if (from + advanceMs > MAX_INSTANT_MS) {
      throw invalidArgument(
        req.advance === undefined ? 'set' : 'advance',
        `would move the clock past 9999-12-31T23:59:59.999Z (the latest instant it can show); at most ${MAX_INSTANT_MS - from} ms from ${new Date(from).toISOString()}`,
      );
    }
    if (req.frozen === true) {
      this.clock.freeze();
    }
    if (setTo !== undefined) {
      this.clock.set(setTo);
    }
    this.clock.advance(advanceMs);
    if (req.frozen === false) {
      this.clock.unfreeze();
    }
    this.runtime.save(CLOCK_KEY, this.clock.state());
    // The remembered earliest end may be stale after a jump either way: look again.
    this.settler.invalidate();
    this.settler.settle(true);
    return this.view();
  }

  beforeApplicationShutdown(): void {
    this.runtime.store(CLOCK_KEY, this.clock.state());
  }
}

function parseInstant(text: string): number {
  const ms = ISO_INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0) {
    throw invalidArgument(
      'set',
      'must be an ISO 8601 instant from 1970 on, such as 2026-11-26T21:00:00Z',
    );
  }
  return ms;
}
