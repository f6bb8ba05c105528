import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';

export interface NetworkRow {
  seq: number;
  id: string;
  projectId: string;
  name: string;
  cidr: string;
  isDefault: boolean;
  version: number;
  createdAt: number;
  updatedAt: number;
}

type StoredRow = Omit<NetworkRow, 'isDefault'> & { isDefault: number };

const COLUMNS = `seq, id, project_id AS projectId, name, cidr, is_default AS isDefault, version,
  created_at AS createdAt, updated_at AS updatedAt`;

const toRow = (r: StoredRow | undefined): NetworkRow | undefined =>
  r ? { ...r, isDefault: r.isDefault === 1 } : undefined;

@Injectable()
export class NetworksRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(row: Omit<NetworkRow, 'seq'>): NetworkRow {
    const result = this.db.run(
      `INSERT INTO networks (id, project_id, name, cidr, is_default, version, created_at, updated_at)
       VALUES (@id, @projectId, @name, @cidr, @isDefault, @version, @createdAt, @updatedAt)`,
      { ...row, isDefault: row.isDefault ? 1 : 0 },
    );
    return { ...row, seq: Number(result.lastInsertRowid) };
  }

  find(projectId: string, id: string): NetworkRow | undefined {
    return toRow(
      this.db.get<StoredRow>(`SELECT ${COLUMNS} FROM networks WHERE project_id = ? AND id = ?`, [
        projectId,
        id,
      ]),
    );
  }

  findByName(projectId: string, name: string): NetworkRow | undefined {
    return toRow(
      this.db.get<StoredRow>(`SELECT ${COLUMNS} FROM networks WHERE project_id = ? AND name = ?`, [
        projectId,
        name,
      ]),
    );
  }

  hasDefault(projectId: string): boolean {
    return (
      this.db.get('SELECT 1 FROM networks WHERE project_id = ? AND is_default = 1', [projectId]) !==
      undefined
    );
  }

  page(projectId: string, name: string | undefined, after: number, limit: number): NetworkRow[] {
    const rows =
      name === undefined
        ? this.db.all<StoredRow>(
            `SELECT ${COLUMNS} FROM networks WHERE project_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
            [projectId, after, limit],
          )
        : this.db.all<StoredRow>(
            `SELECT ${COLUMNS} FROM networks WHERE project_id = ? AND name = ? AND seq > ? ORDER BY seq LIMIT ?`,
            [projectId, name, after, limit],
          );
    return rows.map((r) => toRow(r)!);
  }

  delete(id: string): void {
    this.db.run('DELETE FROM networks WHERE id = ?', [id]);
  }
}
