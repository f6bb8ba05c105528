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
 * `wall` is injectable so unit tests can drive it fully. Its state lives in a SharedArrayBuffer,
 * so a worker thread can follow the same clock (`AdjustableClock.following(clock.buffer)`): the
 * built-in api-server runs in one and must see `POST /admin/clock` as the rest of `nimbus up` does.
 */
export class AdjustableClock extends Clock {
  /** [offset from the wall clock in ms, frozen instant or NaN when running]. */
  private readonly cells: Float64Array;

  constructor(
    private readonly wall: () => number = () => performance.timeOrigin + performance.now(),
    readonly buffer: SharedArrayBuffer = AdjustableClock.newBuffer(),
  ) {
    super();
    this.cells = new Float64Array(buffer);
  }

  /** A clock in this thread that follows (and moves) the one whose `buffer` this is. */
  static following(buffer: SharedArrayBuffer): AdjustableClock {
    return new AdjustableClock(undefined, buffer);
  }

  private static newBuffer(): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT);
    new Float64Array(buffer).set([0, NaN]);
    return buffer;
  }

  private get offsetMs(): number {
    return this.cells[0];
  }

  private set offsetMs(ms: number) {
    this.cells[0] = ms;
  }

  private get frozenAtMs(): number | null {
    const at = this.cells[1];
    return Number.isNaN(at) ? null : at;
  }

  private set frozenAtMs(ms: number | null) {
    this.cells[1] = ms ?? NaN;
  }

  now(): number {
    return this.frozenAtMs ?? Math.floor(this.wall() + this.offsetMs);
  }

  freeze(): void {
    this.frozenAtMs ??= this.now();
  }

  unfreeze(): void {
    const at = this.frozenAtMs;
    if (at !== null) {
      this.offsetMs = at - this.wall();
      this.frozenAtMs = null;
    }
  }

  advance(ms: number): void {
    const at = this.frozenAtMs;
    if (at !== null) {
      this.frozenAtMs = at + ms;
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
