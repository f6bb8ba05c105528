import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ProjectEntity } from './project.entity';

/** An API token. Only the SHA-256 of the secret is stored. */
@Entity({ name: 'tokens' })
@Index('ux_tokens_project_name', ['projectId', 'name'], { unique: true })
export class TokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  @Column({ type: 'varchar', length: 63 })
  name: string;

  @Index('ux_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  /** Admin tokens manage projects and tokens (and, later, the /admin API). */
  @Column({ type: 'boolean', default: false })
  admin: boolean;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;
}
