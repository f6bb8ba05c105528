import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';

// The project's limit (its override, or the default), lowered to the scope's cap when there is one.
const LIMIT = `MIN(
  COALESCE((SELECT limit_value FROM quota_limits WHERE project_id = @projectId AND metric = @metric), @defaultLimit),
  COALESCE(@cap, ${Number.MAX_SAFE_INTEGER}))`;

@Injectable()
export class QuotasRepository {
  constructor(private readonly db: SqliteDatabase) {}

  used(projectId: string, usageKey: string): number {
    return (
      this.db.get<{ used: number }>(
        'SELECT used FROM quota_usage WHERE project_id = ? AND usage_key = ?',
        [projectId, usageKey],
      )?.used ?? 0
    );
  }

  usageByProject(projectId: string): { usageKey: string; used: number }[] {
    return this.db.all('SELECT usage_key AS usageKey, used FROM quota_usage WHERE project_id = ?', [
      projectId,
    ]);
  }

  /** Adds `delta` (negative to release) to a usage counter, never below zero. */
  add(projectId: string, usageKey: string, delta: number): void {
    this.db.run(
      `INSERT INTO quota_usage (project_id, usage_key, used) VALUES (@projectId, @usageKey, MAX(0, @delta))
       ON CONFLICT (project_id, usage_key) DO UPDATE SET used = MAX(0, used + @delta)`,
      { projectId, usageKey, delta },
    );
  }

  /**
   * Adds `amount` to a usage counter if the result stays within the limit (the project's override
   * or `defaultLimit`, lowered to `cap` when given), in one statement; false (nothing counted)
   * when it would not.
   */
  tryAdd(
    projectId: string,
    metric: string,
    usageKey: string,
    amount: number,
    defaultLimit: number,
    cap: number | null,
  ): boolean {
    return (
      this.db.get(
        `INSERT INTO quota_usage (project_id, usage_key, used)
         SELECT @projectId, @usageKey, @amount WHERE @amount <= ${LIMIT}
         ON CONFLICT (project_id, usage_key) DO UPDATE SET used = used + @amount
           WHERE used + @amount <= ${LIMIT}
         RETURNING used`,
        { projectId, metric, usageKey, amount, defaultLimit, cap },
      ) !== undefined
    );
  }

  limitOverride(projectId: string, metric: string): number | undefined {
    return this.db.get<{ v: number }>(
      'SELECT limit_value AS v FROM quota_limits WHERE project_id = ? AND metric = ?',
      [projectId, metric],
    )?.v;
  }

  setLimit(projectId: string, metric: string, limit: number): void {
    this.db.run(
      `INSERT INTO quota_limits (project_id, metric, limit_value) VALUES (?, ?, ?)
       ON CONFLICT (project_id, metric) DO UPDATE SET limit_value = excluded.limit_value`,
      [projectId, metric, limit],
    );
  }
}
