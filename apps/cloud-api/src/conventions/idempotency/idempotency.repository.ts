import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';

export interface StoredResponse {
  fingerprint: string;
  statusCode: number;
  responseBody: string;
  responseHeaders: string;
}

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly db: SqliteDatabase) {}

  find(projectId: string, key: string, now: number): StoredResponse | undefined {
    return this.db.get<StoredResponse>(
      `SELECT fingerprint, status_code AS statusCode, response_body AS responseBody, response_headers AS responseHeaders
         FROM idempotency_keys WHERE project_id = ? AND key = ? AND expires_at > ?`,
      [projectId, key, now],
    );
  }

  save(
    projectId: string,
    key: string,
    stored: StoredResponse,
    now: number,
    expiresAt: number,
  ): void {
    this.db.run(
      `INSERT OR REPLACE INTO idempotency_keys
         (project_id, key, fingerprint, status_code, response_body, response_headers, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        projectId,
        key,
        stored.fingerprint,
        stored.statusCode,
        stored.responseBody,
        stored.responseHeaders,
        now,
        expiresAt,
      ],
    );
  }

  purgeExpired(now: number): number {
    return this.db.run('DELETE FROM idempotency_keys WHERE expires_at <= ?', [now]).changes;
  }
}
