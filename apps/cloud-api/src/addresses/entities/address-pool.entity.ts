import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Allocation cursor per pool: the next offset to try, so allocation is amortised O(1). */
@Entity({ name: 'address_pools' })
export class AddressPoolEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  pool: string;

  @Column({ name: 'next_offset', type: 'integer' })
  nextOffset: number;
}
