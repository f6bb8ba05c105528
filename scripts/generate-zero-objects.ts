/**
 * Writes apps/kube-apiserver/vendor/kubernetes/generated/zero-objects.json: the Go zero object of
 * every built-in kind (what managed fields start a create from), computed from the vendored
 * protobuf schema, so the api-server need not parse that schema at start. Run after
 * scripts/vendor-kubernetes.ts (which calls it); a unit test fails when the file is stale.
 *
 *   npm run generate:zero-objects
 */
import { writeFileSync } from 'node:fs';
import {
  computeZeroObjectTable,
  ZERO_OBJECTS_FILE,
} from '../apps/kube-apiserver/src/protobuf/zero-object';
import { vendoredPath } from '../apps/kube-apiserver/src/vendored';

export function generateZeroObjects(): void {
  const table = computeZeroObjectTable();
  const path = vendoredPath('generated', ZERO_OBJECTS_FILE);
  writeFileSync(path, JSON.stringify(table));
  console.log(`wrote the zero objects of ${Object.keys(table).length} kinds to ${path}`);
}

if (require.main === module) {
  generateZeroObjects();
}
