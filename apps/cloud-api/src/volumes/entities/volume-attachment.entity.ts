import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One volume attached to one instance. The row exists from `attaching` until `detaching` ends;
 * the device stays reserved on the instance for that whole time.
 */
@Entity({ name: 'volume_attachments' })
@Index('ux_volume_attachments_instance_device', ['instanceId', 'device'], { unique: true })
@Index('ix_volume_attachments_transition', ['transitionEndsAt'], {
  where: 'transition_ends_at IS NOT NULL',
})
export class VolumeAttachmentEntity {
  @PrimaryColumn({ name: 'volume_id', type: 'varchar', length: 32 })
  volumeId: string;

  @PrimaryColumn({ name: 'instance_id', type: 'varchar', length: 32 })
  instanceId: string;

  @Column({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  @Column({ type: 'varchar', length: 16 })
  device: string;

  /** attaching | attached | detaching */
  @Column({ type: 'varchar', length: 16 })
  state: string;

  /** When attaching becomes attached, or detaching removes the row. */
  @Column({ name: 'transition_ends_at', type: 'integer', nullable: true })
  transitionEndsAt: number | null;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;
}
