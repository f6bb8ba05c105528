import { Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { CloudApiConfig } from '@app/config';
import { createSqliteDataSource, runMigrations, SqliteDatabase } from '@app/persistence';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { cloudApiMigrations } from '../../../../migrations/cloud-api';
import { CLOUD_API_ENTITIES } from './entities';

export function cloudDatabasePath(config: CloudApiConfig): string {
  return config.dataDir === ':memory:' ? ':memory:' : join(config.dataDir, 'cloud.sqlite');
}

/** Opens cloud.sqlite, applies the committed migrations and refuses to start on schema drift. */
export const dataSourceProvider: Provider = {
  provide: DataSource,
  inject: [CloudApiConfig],
  useFactory: async (config: CloudApiConfig) => {
    const dataSource = createSqliteDataSource({
      database: cloudDatabasePath(config),
      entities: CLOUD_API_ENTITIES,
      migrations: cloudApiMigrations,
    });
    await dataSource.initialize();
    await runMigrations(dataSource);
    return dataSource;
  },
};

export const sqliteDatabaseProvider: Provider = {
  provide: SqliteDatabase,
  inject: [DataSource],
  useFactory: (dataSource: DataSource) => SqliteDatabase.fromDataSource(dataSource),
};

@Injectable()
export class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
    }
  }
}
