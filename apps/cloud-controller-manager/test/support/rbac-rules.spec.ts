import { allowedBy, grants, requestAttributes, ruleAllows } from './rbac-rules';

describe('requestAttributes (the api-server request info)', () => {
  it.each([
    ['GET', '/api/v1/nodes?limit=500', 'list', '', 'nodes', '', ''],
    ['GET', '/api/v1/nodes?watch=true&resourceVersion=5', 'watch', '', 'nodes', '', ''],
    ['GET', '/api/v1/watch/nodes', 'watch', '', 'nodes', '', ''],
    ['GET', '/api/v1/nodes/kind-worker', 'get', '', 'nodes', '', 'kind-worker'],
    ['PATCH', '/api/v1/nodes/kind-worker/status', 'patch', '', 'nodes/status', '', 'kind-worker'],
    ['PUT', '/api/v1/nodes/kind-worker', 'update', '', 'nodes', '', 'kind-worker'],
    ['DELETE', '/api/v1/nodes/n', 'delete', '', 'nodes', '', 'n'],
    ['DELETE', '/api/v1/namespaces/a/pods', 'deletecollection', '', 'pods', 'a', ''],
    ['POST', '/api/v1/namespaces/default/events', 'create', '', 'events', 'default', ''],
    [
      'PUT',
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/cloud-controller-manager',
      'update',
      'coordination.k8s.io',
      'leases',
      'kube-system',
      'cloud-controller-manager',
    ],
    [
      'GET',
      '/api/v1/namespaces/kube-system',
      'get',
      '',
      'namespaces',
      'kube-system',
      'kube-system',
    ],
    [
      'GET',
      '/api/v1/services?fieldSelector=metadata.name%3Dweb',
      'list',
      '',
      'services',
      '',
      'web',
    ],
  ])('%s %s → %s %s/%s ns=%s name=%s', (method, url, verb, group, resource, ns, name) => {
    expect(requestAttributes(method, url)).toMatchObject({
      resourceRequest: true,
      verb,
      apiGroup: group,
      resource,
      namespace: ns,
      name,
    });
  });

  it('treats discovery and health paths as non-resource requests', () => {
    expect(requestAttributes('GET', '/apis/apps')).toMatchObject({
      resourceRequest: false,
      path: '/apis/apps',
      verb: 'get',
    });
    expect(requestAttributes('GET', '/version')).toMatchObject({ resourceRequest: false });
  });
});

describe('ruleAllows / allowedBy (RBAC matching)', () => {
  const a = (method: string, url: string) => requestAttributes(method, url);

  it('matches verbs, groups, subresources and resource names exactly', () => {
    const rule = { apiGroups: [''], resources: ['nodes'], verbs: ['patch'] };
    expect(ruleAllows(rule, a('PATCH', '/api/v1/nodes/n'))).toBe(true);
    expect(ruleAllows(rule, a('PATCH', '/api/v1/nodes/n/status'))).toBe(false);
    expect(ruleAllows(rule, a('PUT', '/api/v1/nodes/n'))).toBe(false);
    expect(ruleAllows(rule, a('PATCH', '/apis/x.io/v1/nodes/n'))).toBe(false);
    const named = {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: ['ccm'],
      verbs: ['get', 'create'],
    };
    expect(
      ruleAllows(named, a('GET', '/apis/coordination.k8s.io/v1/namespaces/s/leases/ccm')),
    ).toBe(true);
    expect(
      ruleAllows(named, a('GET', '/apis/coordination.k8s.io/v1/namespaces/s/leases/other')),
    ).toBe(false);
    // create has no name: a rule with resourceNames never allows it
    expect(ruleAllows(named, a('POST', '/apis/coordination.k8s.io/v1/namespaces/s/leases'))).toBe(
      false,
    );
    expect(
      ruleAllows(
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        a('DELETE', '/api/v1/nodes/n'),
      ),
    ).toBe(true);
  });

  it('applies a Role only in its namespace', () => {
    const bound = [
      {
        source: 'Role/ns1/r',
        namespace: 'ns1',
        rules: [{ apiGroups: [''], resources: ['events'], verbs: ['create'] }],
      },
    ];
    expect(allowedBy(bound, a('POST', '/api/v1/namespaces/ns1/events'))).toBe('Role/ns1/r');
    expect(allowedBy(bound, a('POST', '/api/v1/namespaces/ns2/events'))).toBeUndefined();
  });

  it('lists every granted (group, resource, verb, name)', () => {
    expect(
      grants([
        {
          source: 'x',
          rules: [
            { apiGroups: ['', 'apps'], resources: ['a'], verbs: ['get'], resourceNames: ['n'] },
          ],
        },
      ]),
    ).toEqual(['core/a get (n)', 'apps/a get (n)']);
  });
});
