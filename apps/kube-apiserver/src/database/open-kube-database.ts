import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createSqliteDataSource, runMigrations, SqliteDatabase } from '@app/persistence';
import { kubeApiServerMigrations } from '../../../../migrations/kube-apiserver';
import { KUBE_APISERVER_ENTITIES } from './entities';

export interface KubeDatabase {
  dataSource: DataSource;
  db: SqliteDatabase;
}

/** Opens `<dataDir>/kube.sqlite`, applies migrations (with the drift check) and exposes the sync handle. */
export async function openKubeDatabase(dataDir: string): Promise<KubeDatabase> {
  const dataSource = createSqliteDataSource({
    database: dataDir === ':memory:' ? ':memory:' : join(dataDir, 'kube.sqlite'),
    entities: KUBE_APISERVER_ENTITIES,
    migrations: kubeApiServerMigrations,
  });
  await dataSource.initialize();
  await runMigrations(dataSource);
  return { dataSource, db: SqliteDatabase.fromDataSource(dataSource) };
}
