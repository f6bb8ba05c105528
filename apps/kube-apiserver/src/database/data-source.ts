import { createSqliteDataSource } from '@app/persistence';
import { kubeApiServerMigrations } from '../../../../migrations/kube-apiserver';
import { KUBE_APISERVER_ENTITIES } from './entities';

/**
 * DataSource for migration tooling (TypeORM CLI / scripts/migration.ts). The server builds its own
 * DataSource on `<data-dir>/kube.sqlite` via `openKubeDatabase`.
 */
export default createSqliteDataSource({
  database: '.nimbus/kube.sqlite',
  entities: KUBE_APISERVER_ENTITIES,
  migrations: kubeApiServerMigrations,
});
