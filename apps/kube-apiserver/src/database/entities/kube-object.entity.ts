import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Current state: one row per live object (the latest revision of its key). */
@Entity('kube_objects')
@Index('kube_objects_list', ['apiGroup', 'resource', 'namespace', 'name'])
export class KubeObjectEntity {
  /** "<group>/<resource>/<namespace>/<name>" */
  @PrimaryColumn('text')
  key: string;

  @Column('text', { name: 'api_group' })
  apiGroup: string;

  @Column('text')
  resource: string;

  @Column('text')
  namespace: string;

  @Column('text')
  name: string;

  @Column('text')
  uid: string;

  /** resourceVersion of the revision that produced this state. */
  @Column('integer')
  rv: number;

  @Column('text')
  json: string;
}
