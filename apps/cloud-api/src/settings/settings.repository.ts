import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';

@Injectable()
export class SettingsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  get(key: string): string | undefined {
    return this.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key])?.value;
  }

  /** Stores `value` unless the key exists; returns the stored value (first writer wins across processes). */
  getOrCreate(key: string, value: () => string): string {
    return this.db.transaction(() => {
      this.db.run('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)', [key, value()]);
      return this.get(key)!;
    });
  }
}
