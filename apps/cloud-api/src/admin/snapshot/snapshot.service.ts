import { Injectable } from '@nestjs/common';
import { AdjustableClock, invalidArgument } from '@app/common';
import type { SnapshotRestoreDto } from '@app/cloud-contracts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeSettings } from '../../settings/runtime-settings';
import { TransitionSettler } from '../../transitions/transition-settler';
import { ResetService } from '../reset/reset.service';
import { SnapshotRepository } from './snapshot.repository';
import { AuditLog } from '../../audit/audit-log';
import { ChangeStream } from '../../events/change-stream';

const CLOCK_KEY = 'clock';
/** Settings that belong to this installation, not to the state a snapshot carries. */
const KEEP_ON_RESTORE = ['page_token_secret'];
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

interface SnapshotMeta {
  takenAt: string;
  schemaVersion: string[];
}

/**
 * The whole state as one SQLite file (a consistent `VACUUM INTO` copy) and back. A snapshot
 * records the migrations it was taken at; one from another schema version is refused. A restore
 * copies rows into the live database, so the app serves the restored state without a restart.
 */
@Injectable()
export class SnapshotService {
  constructor(
    private readonly snapshots: SnapshotRepository,
    private readonly runtime: RuntimeSettings,
    private readonly settler: TransitionSettler,
    private readonly resets: ResetService,
    private readonly clock: AdjustableClock,
    private readonly audit: AuditLog,
    private readonly changeStream: ChangeStream,
  ) {}

  schemaVersion(): string[] {
    return this.snapshots.migrations();
  }

  take(): Buffer {
    // Buffered audit entries belong in the copy.
    this.audit.flush();
    // The copy carries this process's clock, so a restore brings time back too.
    this.runtime.store(CLOCK_KEY, this.clock.state());
    const meta: SnapshotMeta = {
      takenAt: this.clock.nowIso(),
      schemaVersion: this.schemaVersion(),
    };
    return this.withTempFile((file) => {
      this.snapshots.copyTo(file, JSON.stringify(meta));
      return readFileSync(file);
    });
  }

  restore(body: unknown): SnapshotRestoreDto {
    if (!Buffer.isBuffer(body) || !body.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) {
      throw invalidArgument(
        'body',
        'must be a Nimbus snapshot from GET /admin/snapshot, sent as application/vnd.sqlite3',
      );
    }
    return this.withTempFile((file) => {
      writeFileSync(file, body);
      const meta = this.readMeta(file);
      const current = this.schemaVersion();
      if (meta.schemaVersion.join() !== current.join()) {
        throw invalidArgument(
          'schemaVersion',
          `the snapshot was taken at schema version ${describe(meta.schemaVersion)}, this server is at ${describe(current)}; restore it on a matching Nimbus version`,
        );
      }
      this.snapshots.restoreFrom(file, KEEP_ON_RESTORE);
      // In-memory state derived from the old rows: the settler's quiet time, runtime settings.
      this.settler.invalidate();
      // The change log was replaced too: stream from its end, not from the old position.
      this.changeStream.resync();
      this.runtime.reloadAll();
      this.runtime.bumpRevision();
      this.resets.ensureBootstrapTokens();
      return meta;
    });
  }

  private readMeta(file: string): SnapshotMeta {
    let info;
    try {
      info = this.snapshots.inspect(file);
    } catch {
      throw invalidArgument('body', 'is not a readable SQLite database');
    }
    if (info.meta === undefined) {
      throw invalidArgument('body', 'is an SQLite database but not a Nimbus snapshot');
    }
    const meta = JSON.parse(info.meta) as SnapshotMeta;
    // The migrations table is the truth; the meta copy only documents it.
    return { takenAt: meta.takenAt, schemaVersion: info.migrations };
  }

  private withTempFile<T>(use: (file: string) => T): T {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-snapshot-'));
    try {
      return use(join(dir, 'snapshot.sqlite'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function describe(migrations: string[]): string {
  return migrations.length === 0
    ? '(none)'
    : `${migrations[migrations.length - 1]} (${migrations.length} migrations)`;
}
