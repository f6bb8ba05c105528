import { readVendoredJson } from '../vendored';
import {
  computeGoZeroObject,
  computeZeroObjectTable,
  goZeroObject,
  ZERO_OBJECTS_FILE,
} from './zero-object';

describe('Go zero objects', () => {
  it('are what Go writes for a new object of the kind (pointers null, structs present)', () => {
    expect(goZeroObject('', 'v1', 'Pod')).toEqual({
      metadata: { creationTimestamp: null },
      spec: { containers: null },
      status: {},
    });
    expect(goZeroObject('apps', 'v1', 'Deployment')).toEqual({
      metadata: { creationTimestamp: null },
      spec: {
        selector: null,
        template: { metadata: { creationTimestamp: null }, spec: { containers: null } },
        strategy: {},
      },
      status: {},
    });
    expect(goZeroObject('stable.example.com', 'v1', 'CronTab')).toEqual({});
  });

  it('come from a generated table that matches the vendored schema (npm run generate:zero-objects)', () => {
    const generated = readVendoredJson<Record<string, unknown>>('generated', ZERO_OBJECTS_FILE);
    expect(generated).toEqual(computeZeroObjectTable());
    expect(Object.keys(generated)).toEqual(
      expect.arrayContaining([
        '/v1/Pod',
        '/v1/Namespace',
        'rbac.authorization.k8s.io/v1/ClusterRole',
      ]),
    );
  });

  it('are computed for kinds outside the table (Status, options) and handed out as copies', () => {
    expect(computeGoZeroObject('', 'v1', 'Status')).toEqual(goZeroObject('', 'v1', 'Status'));
    const first = goZeroObject('', 'v1', 'ConfigMap');
    (first.metadata as Record<string, unknown>).name = 'changed';
    expect(goZeroObject('', 'v1', 'ConfigMap')).toEqual({ metadata: { creationTimestamp: null } });
  });
});
