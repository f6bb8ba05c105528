import { Injectable } from '@nestjs/common';
import { Clock } from '@app/common';
import { SqliteDatabase } from '@app/persistence';

/** A resource type whose transitional states end when the clock passes a stored instant. */
export interface Settleable {
  /** Materialises every transition due at `now`; runs inside a write transaction. */
  settleDue(now: number): void;
  /** Cheap check (an indexed lookup) whether anything is due. */
  hasDue(now: number): boolean;
  /**
   * Earliest instant a transition of this type ends (null: none pending). Optional: participants
   * that provide it let the settler skip all database checks until then.
   */
  nextDueAt?(): number | null;
}

/**
 * Materialises due state transitions before each API call (and on a 1 s background tick), so
 * state is a function of the injected clock: freeze it and nothing moves; advance it and every
 * resource whose transition has ended moves on, with its side effects, in one transaction.
 *
 * Hot-path economy: the settler remembers the earliest pending end (`quietUntil`) and does no
 * database work before it. Transitions scheduled in this process lower it at once (`noteDue`);
 * ones scheduled by another process on the same database are seen by the next forced tick.
 */
@Injectable()
export class TransitionSettler {
  private readonly participants: Settleable[] = [];
  private quietUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {}

  register(participant: Settleable): void {
    this.participants.push(participant);
    this.quietUntil = Number.NEGATIVE_INFINITY;
  }

  /**
   * Forgets the remembered earliest end, so the next settle() looks at the database: after the
   * clock jumped (either way), a reset or a snapshot restore.
   */
  invalidate(): void {
    this.quietUntil = Number.NEGATIVE_INFINITY;
  }

  /** A transition ending at `at` was just scheduled. */
  noteDue(at: number): void {
    this.quietUntil = Math.min(this.quietUntil, at);
  }

  /**
   * Settles one participant now, inside the caller's transaction: with zero-length transitions a
   * mutation answers the settled state, and side effects started while settling (which the
   * settler did not foresee) still happen at their instant.
   */
  settleNow(participant: Settleable): void {
    const now = this.clock.now();
    if (participant.hasDue(now)) {
      participant.settleDue(now);
    }
  }

  settle(force = false): void {
    const now = this.clock.now();
    if (!force && now < this.quietUntil) {
      return;
    }
    const due = this.participants.filter((p) => p.hasDue(now));
    if (due.length > 0) {
      this.db.transaction(() => due.forEach((p) => p.settleDue(now)));
    }
    this.quietUntil = this.earliestPending();
  }

  private earliestPending(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const participant of this.participants) {
      if (!participant.nextDueAt) {
        return Number.NEGATIVE_INFINITY;
      }
      earliest = Math.min(earliest, participant.nextDueAt() ?? Number.POSITIVE_INFINITY);
    }
    return earliest;
  }
}
