import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import type { BucketLimit } from './rate-limit-classes';

// Refill since the last take (never negative: the clock may have been set back), capped at the
// capacity; then take one token if there is one. A new bucket starts full. One statement.
const AVAILABLE = 'MIN(:capacity, tokens + MAX(0, :now - updated_at) * :perMs)';
const TAKE = `
  INSERT INTO rate_limit_buckets (project_id, op_class, tokens, updated_at, granted)
  VALUES (:project, :opClass, MAX(:capacity - 1, 0), :now, :capacity >= 1)
  ON CONFLICT (project_id, op_class) DO UPDATE SET
    granted = ${AVAILABLE} >= 1,
    tokens = ${AVAILABLE} - (${AVAILABLE} >= 1),
    updated_at = :now
  RETURNING tokens, granted`;

export interface TakeResult {
  /** Tokens left after this take. */
  tokens: number;
  granted: boolean;
}

@Injectable()
export class RateLimitBucketsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  take(project: string, opClass: string, limit: BucketLimit, now: number): TakeResult {
    const row = this.db.get<{ tokens: number; granted: number }>(TAKE, {
      project,
      opClass,
      capacity: limit.capacity,
      perMs: limit.refillPerSecond / 1000,
      now,
    })!;
    return { tokens: row.tokens, granted: row.granted === 1 };
  }

  /** Every bucket starts full again (after new limits, or a reset). */
  deleteAll(): void {
    this.db.run('DELETE FROM rate_limit_buckets');
  }
}
