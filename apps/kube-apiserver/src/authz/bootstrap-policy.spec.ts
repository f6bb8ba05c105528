import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { load } from 'js-yaml';
import {
  BOOTSTRAP_BINDINGS,
  BOOTSTRAP_ROLES,
  CLOUD_CONTROLLER_MANAGER_RULES,
} from './bootstrap-policy';

const REPO = resolve(__dirname, '../../../..');

describe('bootstrap policy', () => {
  it('should grant the built-in CCM identity exactly what deploy/ grants the CCM ServiceAccount', () => {
    const role = load(readFileSync(resolve(REPO, 'deploy/rbac/clusterrole.yaml'), 'utf8')) as {
      rules: unknown[];
    };
    expect(CLOUD_CONTROLLER_MANAGER_RULES).toEqual(role.rules);
  });

  it('should bind only roles it defines (or upstream aggregates), each binding once', () => {
    const names = new Set(BOOTSTRAP_ROLES.map((r) => `${r.namespace ?? ''}/${r.name}`));
    for (const b of BOOTSTRAP_BINDINGS) {
      const ns = b.roleRef.kind === 'Role' ? (b.namespace ?? '') : '';
      expect(names.has(`${ns}/${b.roleRef.name}`)).toBe(true);
    }
    const bindings = BOOTSTRAP_BINDINGS.map((b) => `${b.namespace ?? ''}/${b.name}`);
    expect(new Set(bindings).size).toBe(bindings.length);
  });
});
