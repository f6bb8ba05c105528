import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import type { BucketLimit } from './rate-limit-classes';

// Refill since the last take (never negative: the clock may have been set back), capped at the
// capacity; then take up to :want whole tokens, as many as there are. A new bucket starts full.
// One statement, so every process on the database shares the bucket.
const AVAILABLE = 'MIN(:capacity, tokens + MAX(0, :now - updated_at) * :perMs)';
const TAKEN = `MIN(:want, CAST(${AVAILABLE} AS INTEGER))`;
const TAKE = `
  INSERT INTO rate_limit_buckets (project_id, op_class, tokens, updated_at, granted)
  VALUES (:project, :opClass, :capacity - MIN(:want, :capacity), :now, MIN(:want, :capacity))
  ON CONFLICT (project_id, op_class) DO UPDATE SET
    granted = ${TAKEN},
    tokens = ${AVAILABLE} - ${TAKEN},
    updated_at = :now
  RETURNING tokens, granted`;

export interface TakeResult {
  /** Tokens left in the shared bucket after this take. */
  tokens: number;
  /** Whole tokens this take got (0 to `want`). */
  granted: number;
}

@Injectable()
export class RateLimitBucketsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  /** Takes up to `want` tokens (fewer, or none, when the bucket holds fewer). */
  take(
    project: string,
    opClass: string,
    limit: BucketLimit,
    want: number,
    now: number,
  ): TakeResult {
    return this.db.get<TakeResult>(TAKE, {
      project,
      opClass,
      capacity: limit.capacity,
      perMs: limit.refillPerSecond / 1000,
      want,
      now,
    })!;
  }

  /** Every bucket starts full again (after new limits, or a reset). */
  deleteAll(): void {
    this.db.run('DELETE FROM rate_limit_buckets');
  }
}
