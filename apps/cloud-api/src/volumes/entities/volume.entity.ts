import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A block-storage volume. `state` is materialised: the volume's own transitions (creating,
 * deleting) end at `transitionEndsAt`; attaching/in-use/detaching/available follow from its
 * attachments and are recomputed whenever they change.
 */
@Entity({ name: 'volumes' })
@Index('ux_volumes_id', ['id'], { unique: true })
@Index('ix_volumes_project_seq', ['projectId', 'seq'])
@Index('ux_volumes_project_name_live', ['projectId', 'name'], {
  unique: true,
  where: "state <> 'deleting'",
})
@Index('ix_volumes_transition', ['transitionEndsAt'], { where: 'transition_ends_at IS NOT NULL' })
export class VolumeEntity {
  /** Insertion order: the stable sort key for paging. */
  @PrimaryGeneratedColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  @Column({ type: 'varchar', length: 63 })
  name: string;

  @Column({ type: 'varchar', length: 63 })
  zone: string;

  @Column({ type: 'varchar', length: 63 })
  region: string;

  @Column({ type: 'varchar', length: 63 })
  type: string;

  @Column({ name: 'size_gib', type: 'integer' })
  sizeGiB: number;

  @Column({ name: 'multi_attach', type: 'boolean', default: false })
  multiAttach: boolean;

  @Column({ name: 'delete_on_termination', type: 'boolean', default: false })
  deleteOnTermination: boolean;

  @Column({ type: 'varchar', length: 16 })
  state: string;

  /** Where the volume's own transition goes: `available`, or `deleted` (the row goes). */
  @Column({ name: 'next_state', type: 'varchar', length: 16, nullable: true })
  nextState: string | null;

  @Column({ name: 'transition_ends_at', type: 'integer', nullable: true })
  transitionEndsAt: number | null;

  /** JSON object of string labels. */
  @Column({ type: 'text', default: '{}' })
  labels: string;

  /** Bumped on every change, attachments included; the etag derives from it. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'integer' })
  updatedAt: number;
}
