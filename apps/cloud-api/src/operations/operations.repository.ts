import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';

export interface OperationRow {
  seq: number;
  id: string;
  projectId: string;
  kind: string;
  targetType: string;
  targetId: string;
  targetName: string;
  status: 'running' | 'done' | 'failed';
  error: string | null;
  createdAt: number;
  completesAt: number;
  doneAt: number | null;
}

const COLUMNS = `seq, id, project_id AS projectId, kind, target_type AS targetType, target_id AS targetId,
  target_name AS targetName, status, error, created_at AS createdAt, completes_at AS completesAt, done_at AS doneAt`;

@Injectable()
export class OperationsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(row: Omit<OperationRow, 'seq'>): OperationRow {
    const result = this.db.run(
      `INSERT INTO operations (id, project_id, kind, target_type, target_id, target_name, status, error, created_at, completes_at, done_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        row.id,
        row.projectId,
        row.kind,
        row.targetType,
        row.targetId,
        row.targetName,
        row.status,
        row.error,
        row.createdAt,
        row.completesAt,
        row.doneAt,
      ],
    );
    return { ...row, seq: Number(result.lastInsertRowid) };
  }

  find(projectId: string, id: string): OperationRow | undefined {
    return this.db.get<OperationRow>(
      `SELECT ${COLUMNS} FROM operations WHERE project_id = ? AND id = ?`,
      [projectId, id],
    );
  }

  page(projectId: string, after: number, limit: number, targetId?: string): OperationRow[] {
    return targetId === undefined
      ? this.db.all<OperationRow>(
          `SELECT ${COLUMNS} FROM operations WHERE project_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
          [projectId, after, limit],
        )
      : this.db.all<OperationRow>(
          `SELECT ${COLUMNS} FROM operations WHERE project_id = ? AND target_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
          [projectId, targetId, after, limit],
        );
  }

  nextDueAt(): number | null {
    return this.db.get<{ at: number | null }>(
      "SELECT MIN(completes_at) AS at FROM operations WHERE status = 'running'",
    )!.at;
  }

  hasDue(now: number): boolean {
    return (
      this.db.get(
        "SELECT 1 FROM operations WHERE status = 'running' AND completes_at <= ? LIMIT 1",
        [now],
      ) !== undefined
    );
  }

  completeDue(now: number): number {
    return this.db.run(
      "UPDATE operations SET status = 'done', done_at = completes_at WHERE status = 'running' AND completes_at <= ?",
      [now],
    ).changes;
  }
}
