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

  delete(id: string): void {
    this.db.run('DELETE FROM projects WHERE id = ?', [id]);
  }
}
