import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Small key/value facts about the store, e.g. the compacted revision. */
@Entity('kube_meta')
export class KubeMetaEntity {
  @PrimaryColumn('text')
  k: string;

  @Column('text')
  v: string;
}
