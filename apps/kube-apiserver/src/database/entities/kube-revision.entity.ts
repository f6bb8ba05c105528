import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The revisioned log (kine model): every write appends one row whose `rv` is the new global
 * resourceVersion. Watches resume from it; compaction trims it.
 */
@Entity('kube_revisions')
@Index('kube_revisions_created', ['createdAt'])
export class KubeRevisionEntity {
  @PrimaryColumn('integer')
  rv: number;

  /** ADDED | MODIFIED | DELETED */
  @Column('text')
  type: string;

  @Column('text', { name: 'api_group' })
  apiGroup: string;

  @Column('text')
  resource: string;

  @Column('text')
  namespace: string;

  @Column('text')
  name: string;

  /** Epoch ms of the write, for time-based retention. */
  @Column('integer', { name: 'created_at' })
  createdAt: number;

  @Column('text')
  json: string;
}
