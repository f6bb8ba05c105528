import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An address held by a resource; the primary key makes double allocation impossible. */
@Entity({ name: 'address_allocations' })
@Index('ix_address_allocations_owner', ['ownerId'])
export class AddressAllocationEntity {
  /** Pool key, e.g. `subnet/default/nimbus-1a`. */
  @PrimaryColumn({ type: 'varchar', length: 128 })
  pool: string;

  /** The address as a number (IPv4) or canonical text (IPv6). */
  @PrimaryColumn({ type: 'varchar', length: 45 })
  address: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 64 })
  ownerId: string;

  @Column({ name: 'allocated_at', type: 'integer' })
  allocatedAt: number;
}
