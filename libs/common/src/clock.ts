/**
 * Time for domain code. Everything that ages (state transitions, operations, idempotency keys,
 * retention) asks a Clock, so tests and the admin API can freeze and advance time.
 */
export abstract class Clock {
  /** Milliseconds since the epoch. */
  abstract now(): number;

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }
}

export interface ClockState {
  frozen: boolean;
  /** Offset from the wall clock in ms (when running), or the frozen instant (when frozen). */
  offsetMs: number;
  frozenAtMs: number | null;
}

/**
 * A clock that follows the wall clock by default and can be frozen, set and advanced.
 * `wall` is injectable so unit tests can drive it fully.
 */
export class AdjustableClock extends Clock {
  private offsetMs = 0;
  private frozenAtMs: number | null = null;

  constructor(
    private readonly wall: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    super();
  }

  now(): number {
    return this.frozenAtMs ?? Math.floor(this.wall() + this.offsetMs);
  }

  freeze(): void {
    this.frozenAtMs ??= this.now();
  }

  unfreeze(): void {
    if (this.frozenAtMs !== null) {
      this.offsetMs = this.frozenAtMs - this.wall();
      this.frozenAtMs = null;
    }
  }

  advance(ms: number): void {
    if (this.frozenAtMs !== null) {
      this.frozenAtMs += ms;
    } else {
      this.offsetMs += ms;
    }
  }

  set(epochMs: number): void {
    if (this.frozenAtMs !== null) {
      this.frozenAtMs = epochMs;
    } else {
      this.offsetMs = epochMs - this.wall();
    }
  }

  get frozen(): boolean {
    return this.frozenAtMs !== null;
  }

  state(): ClockState {
    return { frozen: this.frozen, offsetMs: this.offsetMs, frozenAtMs: this.frozenAtMs };
  }

  restore(state: ClockState): void {
    this.offsetMs = state.offsetMs;
    this.frozenAtMs = state.frozenAtMs;
  }
}
