import { ResourceRegistry } from '../registry/registry';
import { apiResourceList } from './discovery';

describe('apiResourceList: subresources as upstream lists them', () => {
  const resources = apiResourceList(new ResourceRegistry(), { group: '', version: 'v1' })
    .resources as {
    name: string;
    kind: string;
    group?: string;
    version?: string;
    verbs: string[];
  }[];
  const entry = (name: string) => resources.find((r) => r.name === name);

  it('names a subresource’s own kind, with group and version only where they differ', () => {
    expect(entry('pods/portforward')).toEqual({
      name: 'pods/portforward',
      singularName: '',
      namespaced: true,
      kind: 'PodPortForwardOptions',
      verbs: ['create', 'get'],
    });
    expect(entry('pods/proxy')).toMatchObject({
      kind: 'PodProxyOptions',
      verbs: ['create', 'delete', 'get', 'patch', 'update'],
    });
    expect(entry('pods/proxy')).not.toHaveProperty('group');
    expect(entry('services/proxy')).toMatchObject({ kind: 'ServiceProxyOptions' });
    expect(entry('pods/eviction')).toMatchObject({
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
    });
    expect(entry('pods/status')).toMatchObject({ kind: 'Pod' });
    expect(entry('pods/status')).not.toHaveProperty('group');
  });
});
