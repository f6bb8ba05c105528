import { createSqliteDataSource } from '@app/persistence';
import { cloudApiMigrations } from '../../../../migrations/cloud-api';
import { CLOUD_API_ENTITIES } from './entities';

/**
 * DataSource for migration tooling (scripts/migration.ts). The tooling swaps in a scratch database
 * path; the app builds its own DataSource from its runtime config.
 */
export default createSqliteDataSource({
  database: '.nimbus/cloud.sqlite',
  entities: CLOUD_API_ENTITIES,
  migrations: cloudApiMigrations,
});
