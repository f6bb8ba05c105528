import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'projects' })
export class ProjectEntity {
  /** DNS-1123 label chosen at creation, e.g. `default`; appears in provider IDs. */
  @PrimaryColumn({ type: 'varchar', length: 63 })
  id: string;

  @Column({ name: 'display_name', type: 'varchar', length: 256 })
  displayName: string;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;
}
