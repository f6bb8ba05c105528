import { Injectable, type OnModuleInit } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import { MaintenanceTicker } from '../maintenance.ticker';

/**
 * WAL pages after which a commit checkpoints inline (SQLite's default is 1,000: with ~20 pages per
 * instance create, every ~50th create paid for copying the WAL into the database file and its
 * fsync). The maintenance tick checkpoints every second off the request path, so this is only a
 * ceiling for bursts (~40 MB of WAL).
 */
export const INLINE_CHECKPOINT_PAGES = 10_000;

/** Moves WAL checkpoints off the request path, onto the 1 s maintenance tick. */
@Injectable()
export class WalCheckpoints implements OnModuleInit {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly ticker: MaintenanceTicker,
  ) {}

  onModuleInit(): void {
    this.db.connection.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
    // PASSIVE: copies what no reader still needs and never waits for (or blocks) another process.
    this.ticker.onTick(() => this.db.connection.pragma('wal_checkpoint(PASSIVE)'));
  }
}
