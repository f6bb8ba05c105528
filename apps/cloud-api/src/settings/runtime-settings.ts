import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import { SettingsRepository } from './settings.repository';

const REVISION_KEY = 'runtime_revision';

type Apply = (value: unknown) => void;

/**
 * Settings the admin API changes at runtime (clock, transition durations, consistency delays, rate
 * limits, seed). Each is stored as JSON in `settings`, so it survives a restart; a revision counter
 * lets other processes on the same database pick a change up on their next maintenance tick.
 */
@Injectable()
export class RuntimeSettings {
  private readonly appliers = new Map<string, Apply>();
  private seenRevision: string | undefined;

  constructor(
    private readonly settings: SettingsRepository,
    private readonly db: SqliteDatabase,
  ) {
    this.seenRevision = settings.get(REVISION_KEY);
  }

  /** Registers the holder of a setting and applies the stored value (undefined when none) at once. */
  register(key: string, apply: Apply): void {
    this.appliers.set(key, apply);
    apply(this.read(key));
  }

  /** Stores a setting (undefined removes it) and tells other processes. */
  save(key: string, value: unknown): void {
    this.db.transaction(() => {
      this.write(key, value);
      this.bumpRevision();
    });
  }

  /** Drops every registered setting but `keep`; their holders fall back to the configuration. */
  clear(keep: string[]): void {
    this.db.transaction(() => {
      for (const key of this.appliers.keys()) {
        if (!keep.includes(key)) {
          this.write(key, undefined);
        }
      }
      this.bumpRevision();
    });
    this.reloadAll();
  }

  /** Tells other processes to re-read (e.g. after a snapshot restore replaced the table). */
  bumpRevision(): void {
    const revision = String(Number(this.settings.get(REVISION_KEY) ?? '0') + 1);
    this.settings.set(REVISION_KEY, revision);
    this.seenRevision = revision;
  }

  /** Stores a setting without telling other processes (e.g. this process's clock at shutdown). */
  store(key: string, value: unknown): void {
    this.write(key, value);
  }

  /** Re-applies every setting when another process changed one; cheap (one indexed read). */
  sync(): void {
    const revision = this.settings.get(REVISION_KEY);
    if (revision !== this.seenRevision) {
      this.seenRevision = revision;
      this.reloadAll();
    }
  }

  /** Re-applies every stored setting (after a snapshot restore replaced the table). */
  reloadAll(): void {
    for (const [key, apply] of this.appliers) {
      apply(this.read(key));
    }
  }

  private read(key: string): unknown {
    const text = this.settings.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }

  private write(key: string, value: unknown): void {
    if (value === undefined) {
      this.settings.delete(key);
    } else {
      this.settings.set(key, JSON.stringify(value));
    }
  }
}
