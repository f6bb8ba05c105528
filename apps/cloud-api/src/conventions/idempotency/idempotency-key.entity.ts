import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The stored outcome of a POST made with an Idempotency-Key, replayed for the same key. */
@Entity({ name: 'idempotency_keys' })
@Index('ix_idempotency_keys_expires', ['expiresAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  @PrimaryColumn({ name: 'key', type: 'varchar', length: 255 })
  key: string;

  /** SHA-256 of method, path and canonical body. */
  @Column({ type: 'varchar', length: 64 })
  fingerprint: string;

  @Column({ name: 'status_code', type: 'integer' })
  statusCode: number;

  @Column({ name: 'response_body', type: 'text' })
  responseBody: string;

  /** JSON of the headers to replay (ETag, Location). */
  @Column({ name: 'response_headers', type: 'text' })
  responseHeaders: string;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;

  @Column({ name: 'expires_at', type: 'integer' })
  expiresAt: number;
}
