import { allowedBy, grants, requestAttributes, ruleAllows } from './rbac-rules';

// Request attributes and rule matching are the api-server's (apps/kube-apiserver/src/authz/*.spec.ts);
// these cases check the test helpers built on them.
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
