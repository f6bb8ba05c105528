import { Injectable } from '@nestjs/common';
import { Clock, failedPrecondition } from '@app/common';
import { SqliteDatabase } from '@app/persistence';

/** A contiguous range of addresses: offsets [0, size) map to addresses through `addressAt`. */
export interface AddressRange {
  pool: string;
  size: number;
  addressAt(offset: number): string;
}

/**
 * Hands out addresses from pools, never the same one twice while it is held. A per-pool cursor
 * makes allocation amortised O(1) and delays reuse of released addresses (as clouds do).
 * Call inside the mutation's transaction.
 */
@Injectable()
export class AddressAllocator {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {}

  allocate(range: AddressRange, ownerId: string): string {
    const cursor =
      this.db.get<{ next: number }>(
        'SELECT next_offset AS next FROM address_pools WHERE pool = ?',
        [range.pool],
      )?.next ?? 0;
    for (let i = 0; i < range.size; i++) {
      const offset = (cursor + i) % range.size;
      const address = range.addressAt(offset);
      // Taken or not, in one statement: the allocation's primary key refuses a held address.
      if (this.claim(range.pool, address, ownerId)) {
        this.db.run(
          'INSERT INTO address_pools (pool, next_offset) VALUES (?, ?) ON CONFLICT (pool) DO UPDATE SET next_offset = excluded.next_offset',
          [range.pool, (offset + 1) % range.size],
        );
        return address;
      }
    }
    throw failedPrecondition(
      `address pool ${range.pool} is exhausted (${range.size} addresses in use)`,
    );
  }

  /** Claims a specific address; false when it is already held. */
  claim(pool: string, address: string, ownerId: string): boolean {
    return (
      this.db.run(
        'INSERT OR IGNORE INTO address_allocations (pool, address, owner_id, allocated_at) VALUES (?, ?, ?, ?)',
        [pool, address, ownerId, this.clock.now()],
      ).changes === 1
    );
  }

  releaseOwner(ownerId: string): void {
    this.db.run('DELETE FROM address_allocations WHERE owner_id = ?', [ownerId]);
  }

  releaseAddress(pool: string, address: string): void {
    this.db.run('DELETE FROM address_allocations WHERE pool = ? AND address = ?', [pool, address]);
  }
}
