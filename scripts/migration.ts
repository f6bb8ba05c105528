/**
 * Migration tooling for every SQLite database of the repo.
 *   npm run migration:generate -- <db> <Name>   writes migrations/<db>/<timestamp>-<Name>.ts
 *   npm run migration:check                     exits 1 when entities and migrations drift
 * Both replay the committed migrations on a scratch file, then diff the entities against it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { runMigrationsOnly } from './migration-helpers';

const DATABASES: Record<string, string> = {
  'cloud-api': '../apps/cloud-api/src/database/data-source',
  'kube-apiserver': '../apps/kube-apiserver/src/database/data-source',
};

async function scratch(db: string): Promise<{ ds: DataSource; dir: string }> {
  const mod = (await import(DATABASES[db])) as { default: DataSource };
  const dir = mkdtempSync(join(tmpdir(), `nimbus-migration-${db}-`));
  const ds = new DataSource({
    ...mod.default.options,
    database: join(dir, 'scratch.sqlite'),
  } as never);
  await ds.initialize();
  await runMigrationsOnly(ds);
  return { ds, dir };
}

async function drift(db: string) {
  const { ds, dir } = await scratch(db);
  try {
    const log = await ds.driver.createSchemaBuilder().log();
    return { up: log.upQueries, down: log.downQueries };
  } finally {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const q = (s: string) =>
  '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';

async function generate(db: string, name: string) {
  if (!DATABASES[db] || !/^[A-Z][A-Za-z0-9]+$/.test(name ?? '')) {
    throw new Error(
      `usage: migration:generate -- <${Object.keys(DATABASES).join('|')}> <PascalCaseName>`,
    );
  }
  const { up, down } = await drift(db);
  if (up.length === 0) {
    console.log(`${db}: entities and migrations agree; nothing to generate`);
    return;
  }
  const ts = Date.now();
  const className = `${name}${ts}`;
  const file = `migrations/${db}/${ts}-${name}.ts`;
  const body = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up.map((u) => `    await queryRunner.query(${q(u.query)});`).join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down
  .reverse()
  .map((d) => `    await queryRunner.query(${q(d.query)});`)
  .join('\n')}
  }
}
`;
  writeFileSync(file, body);
  const indexFile = `migrations/${db}/index.ts`;
  const index = readFileSync(indexFile, 'utf8');
  const imports = [...index.matchAll(/^import \{ (\w+) \} from '(.+)';$/gm)].map((m) => [
    m[1],
    m[2],
  ]);
  imports.push([className, `./${ts}-${name}`]);
  writeFileSync(
    indexFile,
    `${imports.map(([c, p]) => `import { ${c} } from '${p}';`).join('\n')}\n\n` +
      `/** Every migration of this database, in order (listed explicitly: globs break under bundling). */\n` +
      `export const ${db.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Migrations = [\n${imports.map(([c]) => `  ${c},`).join('\n')}\n];\n`,
  );
  console.log(`wrote ${file} (${up.length} statements) and updated ${indexFile}`);
}

async function check() {
  let failed = false;
  for (const db of Object.keys(DATABASES)) {
    const { up } = await drift(db);
    if (up.length > 0) {
      failed = true;
      console.error(
        `${db}: entities drift from migrations; run npm run migration:generate -- ${db} <Name>:`,
      );
      up.forEach((u) => console.error(`  ${u.query}`));
    } else {
      console.log(`${db}: migrations match the entities`);
    }
  }
  process.exit(failed ? 1 : 0);
}

const [command, db, name] = process.argv.slice(2);
(command === 'generate' ? generate(db, name) : check()).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
