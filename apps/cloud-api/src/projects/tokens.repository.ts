import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import type { Principal } from '../auth/principal';

export interface TokenRow {
  id: string;
  projectId: string;
  name: string;
  admin: boolean;
  createdAt: number;
}

const COLUMNS = 'id, project_id AS projectId, name, admin, created_at AS createdAt';
const toRow = (r: TokenRow | undefined) => (r ? { ...r, admin: Boolean(r.admin) } : undefined);

@Injectable()
export class TokensRepository {
  constructor(private readonly db: SqliteDatabase) {}

  findPrincipalByHash(tokenHash: string): Principal | undefined {
    const row = this.db.get<{
      tokenId: string;
      tokenName: string;
      projectId: string;
      admin: number;
    }>(
      'SELECT id AS tokenId, name AS tokenName, project_id AS projectId, admin FROM tokens WHERE token_hash = ?',
      [tokenHash],
    );
    return row ? { ...row, admin: row.admin === 1 } : undefined;
  }

  insert(row: TokenRow & { tokenHash: string }): void {
    this.db.run(
      'INSERT INTO tokens (id, project_id, name, token_hash, admin, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [row.id, row.projectId, row.name, row.tokenHash, row.admin ? 1 : 0, row.createdAt],
    );
  }

  /** Points an existing named token at a new secret (used when NIMBUS_TOKEN changes between starts). */
  replaceHash(projectId: string, name: string, tokenHash: string): void {
    this.db.run('UPDATE tokens SET token_hash = ? WHERE project_id = ? AND name = ?', [
      tokenHash,
      projectId,
      name,
    ]);
  }

  findByName(projectId: string, name: string): (TokenRow & { tokenHash: string }) | undefined {
    const row = this.db.get<TokenRow & { tokenHash: string }>(
      `SELECT ${COLUMNS}, token_hash AS tokenHash FROM tokens WHERE project_id = ? AND name = ?`,
      [projectId, name],
    );
    return row ? { ...row, admin: Boolean(row.admin) } : undefined;
  }

  findById(projectId: string, id: string): TokenRow | undefined {
    return toRow(
      this.db.get<TokenRow>(`SELECT ${COLUMNS} FROM tokens WHERE project_id = ? AND id = ?`, [
        projectId,
        id,
      ]),
    );
  }

  idTaken(id: string): boolean {
    return this.db.get('SELECT 1 FROM tokens WHERE id = ?', [id]) !== undefined;
  }

  listByProject(projectId: string): TokenRow[] {
    return this.db
      .all<TokenRow>(
        `SELECT ${COLUMNS} FROM tokens WHERE project_id = ? ORDER BY created_at, rowid`,
        [projectId],
      )
      .map((r) => toRow(r)!);
  }

  delete(projectId: string, id: string): void {
    this.db.run('DELETE FROM tokens WHERE project_id = ? AND id = ?', [projectId, id]);
  }
}
