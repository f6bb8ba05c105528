import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';

export interface AuditRow {
  seq: number;
  at: number;
  projectId: string | null;
  tokenName: string | null;
  operation: string | null;
  resourceType: string | null;
  resourceId: string | null;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  requestId: string;
  idempotencyKey: string | null;
  faultRuleId: string | null;
  outOfBand: number;
}

export type NewAuditRow = Omit<AuditRow, 'seq'>;

/** SQL-expressible audit filters; `operation` is a glob (`instances.*`). */
export interface AuditFilter {
  projectId?: string;
  operation?: string;
  resourceId?: string;
  statusFrom?: number;
  statusTo?: number;
  since?: number;
  until?: number;
  faultRuleId?: string;
  outOfBand?: number;
}

const COLUMNS = `seq, at, project_id AS projectId, token_name AS tokenName, operation, resource_type AS resourceType,
  resource_id AS resourceId, method, path, status, latency_ms AS latencyMs, request_id AS requestId,
  idempotency_key AS idempotencyKey, fault_rule_id AS faultRuleId, out_of_band AS outOfBand`;

const CONDITIONS: [keyof AuditFilter, string][] = [
  ['projectId', 'project_id = @projectId'],
  ['operation', 'operation GLOB @operation'],
  ['resourceId', 'resource_id = @resourceId'],
  ['statusFrom', 'status >= @statusFrom'],
  ['statusTo', 'status <= @statusTo'],
  ['since', 'at >= @since'],
  ['until', 'at < @until'],
  ['faultRuleId', 'fault_rule_id = @faultRuleId'],
  ['outOfBand', 'out_of_band = @outOfBand'],
];

@Injectable()
export class AuditRepository {
  constructor(private readonly db: SqliteDatabase) {}

  /** Inserts a batch in one transaction (one prepared statement, reused per row). */
  insertMany(rows: NewAuditRow[]): void {
    this.db.transaction(() => {
      for (const row of rows) {
        this.db.run(
          `INSERT INTO audit_log (at, project_id, token_name, operation, resource_type, resource_id, method, path,
             status, latency_ms, request_id, idempotency_key, fault_rule_id, out_of_band)
           VALUES (@at, @projectId, @tokenName, @operation, @resourceType, @resourceId, @method, @path,
             @status, @latencyMs, @requestId, @idempotencyKey, @faultRuleId, @outOfBand)`,
          row,
        );
      }
    });
  }

  page(filter: AuditFilter, after: number, limit: number): AuditRow[] {
    const where = ['seq > @after'];
    for (const [key, condition] of CONDITIONS) {
      if (filter[key] !== undefined) {
        where.push(condition);
      }
    }
    return this.db.all<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`,
      { ...filter, after, limit },
    );
  }

  purgeBefore(at: number): number {
    return this.db.run('DELETE FROM audit_log WHERE at < ?', [at]).changes;
  }
}
