import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';

export interface ProjectRow {
  id: string;
  displayName: string;
  createdAt: number;
}

const COLUMNS = 'id, display_name AS displayName, created_at AS createdAt';

@Injectable()
export class ProjectsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  find(id: string): ProjectRow | undefined {
    return this.db.get<ProjectRow>(`SELECT ${COLUMNS} FROM projects WHERE id = ?`, [id]);
  }

  list(): ProjectRow[] {
    return this.db.all<ProjectRow>(`SELECT ${COLUMNS} FROM projects ORDER BY created_at, rowid`);
  }

  count(): number {
    return this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM projects')!.n;
  }

  insert(row: ProjectRow): void {
    this.db.run('INSERT INTO projects (id, display_name, created_at) VALUES (?, ?, ?)', [
      row.id,
      row.displayName,
      row.createdAt,
    ]);
  }

  /** What a project still holds that must be deleted before the project. */
  countHeldResources(id: string): { instances: number; volumes: number; 'load balancers': number } {
    const count = (sql: string) => this.db.get<{ n: number }>(sql, [id])!.n;
    return {
      instances: count(
        "SELECT COUNT(*) AS n FROM instances WHERE project_id = ? AND state <> 'terminated'",
      ),
      volumes: count('SELECT COUNT(*) AS n FROM volumes WHERE project_id = ?'),
      'load balancers': count('SELECT COUNT(*) AS n FROM load_balancers WHERE project_id = ?'),
    };
  }

  /** Deletes the project with its configuration; tokens go by foreign-key cascade. */
  deleteWithConfiguration(id: string): void {
    this.db.transaction(() => {
      for (const table of [
        'routes',
        'networks',
        'instances',
        'operations',
        'quota_usage',
        'quota_limits',
        'idempotency_keys',
        'rate_limit_buckets',
      ]) {
        this.db.run(`DELETE FROM ${table} WHERE project_id = ?`, [id]);
      }
      this.db.run('DELETE FROM projects WHERE id = ?', [id]);
    });
  }
}
