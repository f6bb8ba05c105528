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

  set(key: string, value: string): void {
    this.db.run(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  delete(key: string): void {
    this.db.run('DELETE FROM settings WHERE key = ?', [key]);
  }
}
