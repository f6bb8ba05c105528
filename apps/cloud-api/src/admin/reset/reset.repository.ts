import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';

/**
 * Tables of resources and their traces, wiped by a reset; a feature adding such a table lists it
 * here. Everything else (projects, tokens, quota limits, settings, migrations) is kept.
 */
const RESOURCE_TABLES = [
  'volume_attachments',
  'load_balancer_backends',
  'routes',
  'networks',
  'load_balancers',
  'volumes',
  'instances',
  'operations',
  'idempotency_keys',
  'quota_usage',
  'address_allocations',
  'address_pools',
  'rate_limit_buckets',
  'fault_holds',
];

/** Of those, the ones with a project_id column. */
const PROJECT_TABLES = RESOURCE_TABLES.filter(
  (t) => !['load_balancer_backends', 'address_allocations', 'address_pools'].includes(t),
);

/** The bootstrap tokens of the default project, which a reset never removes. */
const BOOTSTRAP_TOKENS = ['default', 'admin'];

export type DeletedCounts = Record<string, number>;

/** Runs inside the caller's transaction. */
@Injectable()
export class ResetRepository {
  constructor(private readonly db: SqliteDatabase) {}

  wipeAll(): DeletedCounts {
    return counts(RESOURCE_TABLES.map((table) => [table, this.db.run(`DELETE FROM ${table}`)]));
  }

  /** One project's resources, its addresses and its subnets' allocation cursors. */
  wipeProject(projectId: string): DeletedCounts {
    const subnetPrefix = `subnet/${projectId}/`;
    const owned = `SELECT id FROM instances WHERE project_id = :p UNION ALL SELECT id FROM load_balancers WHERE project_id = :p`;
    const special: [string, { changes: number }][] = [
      [
        'address_allocations',
        this.db.run(
          `DELETE FROM address_allocations WHERE substr(pool, 1, length(:prefix)) = :prefix OR owner_id IN (${owned})`,
          { p: projectId, prefix: subnetPrefix },
        ),
      ],
      [
        'address_pools',
        this.db.run('DELETE FROM address_pools WHERE substr(pool, 1, length(:prefix)) = :prefix', {
          prefix: subnetPrefix,
        }),
      ],
      [
        'load_balancer_backends',
        this.db.run(
          'DELETE FROM load_balancer_backends WHERE load_balancer_id IN (SELECT id FROM load_balancers WHERE project_id = ?)',
          [projectId],
        ),
      ],
    ];
    return counts([
      ...special,
      ...PROJECT_TABLES.map((table): [string, { changes: number }] => [
        table,
        this.db.run(`DELETE FROM ${table} WHERE project_id = ?`, [projectId]),
      ]),
    ]);
  }

  /** Every project but `default`, every token but the bootstrap ones, every quota limit. */
  dropProjects(defaultProject: string): DeletedCounts {
    const keep = BOOTSTRAP_TOKENS.map(() => '?').join(', ');
    return counts([
      [
        'tokens',
        this.db.run(`DELETE FROM tokens WHERE NOT (project_id = ? AND name IN (${keep}))`, [
          defaultProject,
          ...BOOTSTRAP_TOKENS,
        ]),
      ],
      ['quota_limits', this.db.run('DELETE FROM quota_limits')],
      ['projects', this.db.run('DELETE FROM projects WHERE id <> ?', [defaultProject])],
    ]);
  }
}

function counts(results: [string, { changes: number }][]): DeletedCounts {
  return Object.fromEntries(
    results.filter(([, r]) => r.changes > 0).map(([table, r]) => [table, r.changes]),
  );
}
