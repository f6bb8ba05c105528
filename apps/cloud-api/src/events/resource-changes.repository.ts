import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import { resourceChangeTriggerStatements } from '../../../../migrations/cloud-api/1795726438049-ResourceChangeTriggers';

export interface ResourceChangeRow {
  seq: number;
  projectId: string;
  resourceType: string;
  resourceId: string;
  name: string;
  change: 'created' | 'updated' | 'deleted';
  oldState: string | null;
  newState: string | null;
  at: number | null;
}

const COLUMNS = `seq, project_id AS projectId, resource_type AS resourceType, resource_id AS resourceId, name,
  change, old_state AS oldState, new_state AS newState, at`;

@Injectable()
export class ResourceChangesRepository {
  constructor(private readonly db: SqliteDatabase) {}

  /** Re-creates missing triggers (a table rebuilt by a later migration loses its triggers). */
  ensureTriggers(): void {
    for (const statement of resourceChangeTriggerStatements()) {
      this.db.connection.exec(statement);
    }
  }

  lastSeq(): number {
    return (
      this.db.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM resource_changes')!.seq ?? 0
    );
  }

  /** Gives changes recorded without a time (immediate deletions) the clock's present. */
  stampUndated(after: number, now: number): void {
    this.db.run('UPDATE resource_changes SET at = ? WHERE seq > ? AND at IS NULL', [now, after]);
  }

  after(seq: number, limit: number): ResourceChangeRow[] {
    return this.db.all<ResourceChangeRow>(
      `SELECT ${COLUMNS} FROM resource_changes WHERE seq > ? ORDER BY seq LIMIT ?`,
      [seq, limit],
    );
  }

  ofProject(projectId: string, after: number, upTo: number): ResourceChangeRow[] {
    return this.db.all<ResourceChangeRow>(
      `SELECT ${COLUMNS} FROM resource_changes WHERE project_id = ? AND seq > ? AND seq <= ? ORDER BY seq`,
      [projectId, after, upTo],
    );
  }

  purgeBefore(at: number): number {
    return this.db.run('DELETE FROM resource_changes WHERE at < ?', [at]).changes;
  }
}
