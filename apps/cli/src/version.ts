import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version in Nimbus's package.json, found by walking up from this file (it runs from
 * apps/cli/src under ts-node and from dist/apps/cli/src once built).
 */
export function nimbusVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'nimbus' && pkg.version) {
        return pkg.version;
      }
    }
    if (dirname(dir) === dir) {
      return 'unknown';
    }
  }
}
