import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Last server-side-apply intent per object and field manager (to drop fields a manager stops applying). */
@Entity('kube_apply_intents')
export class KubeApplyIntentEntity {
  @PrimaryColumn('text')
  uid: string;

  @PrimaryColumn('text')
  manager: string;

  @Column('text')
  json: string;
}
