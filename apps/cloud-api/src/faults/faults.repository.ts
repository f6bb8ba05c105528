import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';

export interface FaultRuleRow {
  seq: number;
  id: string;
  description: string | null;
  spec: string;
  matchedCalls: number;
  hits: number;
  createdAt: number;
  lastHitAt: number | null;
}

export interface FaultHoldRow {
  operationId: string;
  ruleId: string;
  projectId: string;
  targetType: string;
  targetId: string;
  failAt: number | null;
  error: string | null;
  createdAt: number;
}

const RULE_COLUMNS = `seq, id, description, spec, matched_calls AS matchedCalls, hits, created_at AS createdAt,
  last_hit_at AS lastHitAt`;
const HOLD_COLUMNS = `operation_id AS operationId, rule_id AS ruleId, project_id AS projectId,
  target_type AS targetType, target_id AS targetId, fail_at AS failAt, error, created_at AS createdAt`;

/** Fault rules with their counters, and the operations held by stuck/failed faults. */
@Injectable()
export class FaultsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(row: Omit<FaultRuleRow, 'seq'>): void {
    this.db.run(
      `INSERT INTO fault_rules (id, description, spec, matched_calls, hits, created_at, last_hit_at)
       VALUES (@id, @description, @spec, @matchedCalls, @hits, @createdAt, @lastHitAt)`,
      row,
    );
  }

  all(): FaultRuleRow[] {
    return this.db.all<FaultRuleRow>(`SELECT ${RULE_COLUMNS} FROM fault_rules ORDER BY seq`);
  }

  find(id: string): FaultRuleRow | undefined {
    return this.db.get<FaultRuleRow>(`SELECT ${RULE_COLUMNS} FROM fault_rules WHERE id = ?`, [id]);
  }

  /** Cheap change detector for rules written by another process. */
  version(): string {
    const row = this.db.get<{ n: number; last: number | null }>(
      'SELECT COUNT(*) AS n, MAX(seq) AS last FROM fault_rules',
    )!;
    return `${row.n}:${row.last}`;
  }

  /** Counts a matching call atomically (several processes may share the rule); returns its n. */
  countMatch(id: string): number | undefined {
    return this.db.get<{ n: number }>(
      'UPDATE fault_rules SET matched_calls = matched_calls + 1 WHERE id = ? RETURNING matched_calls AS n',
      [id],
    )?.n;
  }

  countHit(id: string, at: number): void {
    this.db.run('UPDATE fault_rules SET hits = hits + 1, last_hit_at = ? WHERE id = ?', [at, id]);
  }

  delete(id: string): boolean {
    return this.db.run('DELETE FROM fault_rules WHERE id = ?', [id]).changes === 1;
  }

  deleteAll(): void {
    this.db.run('DELETE FROM fault_rules');
  }

  insertHold(row: FaultHoldRow): void {
    this.db.run(
      `INSERT OR REPLACE INTO fault_holds (operation_id, rule_id, project_id, target_type, target_id, fail_at, error, created_at)
       VALUES (@operationId, @ruleId, @projectId, @targetType, @targetId, @failAt, @error, @createdAt)`,
      { ...row },
    );
  }

  /** Stuck holds of a rule (or of every rule): released when the rule goes. */
  stuckHolds(ruleId?: string): FaultHoldRow[] {
    return ruleId === undefined
      ? this.db.all<FaultHoldRow>(`SELECT ${HOLD_COLUMNS} FROM fault_holds WHERE fail_at IS NULL`)
      : this.db.all<FaultHoldRow>(
          `SELECT ${HOLD_COLUMNS} FROM fault_holds WHERE fail_at IS NULL AND rule_id = ?`,
          [ruleId],
        );
  }

  dueFailures(now: number): FaultHoldRow[] {
    return this.db.all<FaultHoldRow>(
      `SELECT ${HOLD_COLUMNS} FROM fault_holds WHERE fail_at <= ? ORDER BY fail_at`,
      [now],
    );
  }

  hasDueFailure(now: number): boolean {
    return this.db.get('SELECT 1 FROM fault_holds WHERE fail_at <= ? LIMIT 1', [now]) !== undefined;
  }

  nextFailureAt(): number | null {
    return this.db.get<{ at: number | null }>('SELECT MIN(fail_at) AS at FROM fault_holds')!.at;
  }

  deleteHold(operationId: string): void {
    this.db.run('DELETE FROM fault_holds WHERE operation_id = ?', [operationId]);
  }
}
