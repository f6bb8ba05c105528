import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Process-independent settings (e.g. the page-token signing secret). */
@Entity({ name: 'settings' })
export class SettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key: string;

  @Column({ type: 'text' })
  value: string;
}
