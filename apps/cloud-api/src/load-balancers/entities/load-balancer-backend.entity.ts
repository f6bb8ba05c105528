import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An instance behind a load balancer; its private IP is copied (it never changes). */
@Entity({ name: 'load_balancer_backends' })
@Index('ix_load_balancer_backends_instance', ['instanceId'])
export class LoadBalancerBackendEntity {
  @PrimaryColumn({ name: 'load_balancer_id', type: 'varchar', length: 32 })
  loadBalancerId: string;

  @PrimaryColumn({ name: 'instance_id', type: 'varchar', length: 32 })
  instanceId: string;

  @Column({ name: 'instance_ip', type: 'varchar', length: 45 })
  instanceIp: string;

  /** Order in which backends were given. */
  @Column({ type: 'integer' })
  position: number;
}
