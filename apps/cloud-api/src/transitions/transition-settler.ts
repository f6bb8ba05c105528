import { Injectable } from '@nestjs/common';
import { Clock } from '@app/common';
import { SqliteDatabase } from '@app/persistence';

/** A resource type whose transitional states end when the clock passes a stored instant. */
export interface Settleable {
  /** Materialises every transition due at `now`; runs inside a write transaction. */
  settleDue(now: number): void;
  /** Cheap check (an indexed lookup) whether anything is due. */
  hasDue(now: number): boolean;
}

/**
 * Materialises due state transitions before each API call (and on a slow background tick), so
 * state is a function of the injected clock: freeze it and nothing moves; advance it and every
 * resource whose transition has ended moves on, with its side effects, in one transaction.
 */
@Injectable()
export class TransitionSettler {
  private readonly participants: Settleable[] = [];

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {}

  register(participant: Settleable): void {
    this.participants.push(participant);
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

  settle(): void {
    const now = this.clock.now();
    const due = this.participants.filter((p) => p.hasDue(now));
    if (due.length > 0) {
      this.db.transaction(() => due.forEach((p) => p.settleDue(now)));
    }
  }
}
