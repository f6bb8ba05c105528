import { matchResourcesMatch, type AdmissionRequestInfo } from './policy-matching';

const request = (over: Partial<AdmissionRequestInfo> = {}): AdmissionRequestInfo => ({
  operation: 'CREATE',
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  subresource: '',
  namespaced: true,
  object: { metadata: { name: 'web', labels: { tier: 'front' } } },
  namespaceLabels: { environment: 'test' },
  ...over,
});
const rule = (over: object = {}) => ({
  apiGroups: ['apps'],
  apiVersions: ['v1'],
  operations: ['CREATE', 'UPDATE'],
  resources: ['deployments'],
  scope: '*',
  ...over,
});

describe('matchResourcesMatch', () => {
  it('matches operations, groups, resources and scope of a rule', () => {
    const match = { resourceRules: [rule()] };
    expect(matchResourcesMatch(match, request())).toBe(true);
    expect(matchResourcesMatch(match, request({ operation: 'DELETE' }))).toBe(false);
    expect(matchResourcesMatch(match, request({ group: '' }))).toBe(false);
    expect(matchResourcesMatch({ resourceRules: [rule({ scope: 'Cluster' })] }, request())).toBe(
      false,
    );
  });

  it('tells subresources apart: pods/status, */scale and */* name them, plain names do not', () => {
    const scale = request({ subresource: 'scale' });
    expect(matchResourcesMatch({ resourceRules: [rule()] }, scale)).toBe(false);
    expect(
      matchResourcesMatch({ resourceRules: [rule({ resources: ['deployments/scale'] })] }, scale),
    ).toBe(true);
    expect(matchResourcesMatch({ resourceRules: [rule({ resources: ['*/scale'] })] }, scale)).toBe(
      true,
    );
    expect(matchResourcesMatch({ resourceRules: [rule({ resources: ['*/*'] })] }, scale)).toBe(
      true,
    );
    expect(matchResourcesMatch({ resourceRules: [rule({ resources: ['*'] })] }, scale)).toBe(false);
    expect(matchResourcesMatch({ resourceRules: [rule({ resources: ['*'] })] }, request())).toBe(
      true,
    );
  });

  it('ignores the version under Equivalent (the default) but not under Exact', () => {
    const v2 = { resourceRules: [rule({ apiVersions: ['v2'] })] };
    expect(matchResourcesMatch(v2, request())).toBe(true);
    expect(matchResourcesMatch({ ...v2, matchPolicy: 'Exact' }, request())).toBe(false);
  });

  it('applies exclude rules, resource names and both selectors', () => {
    expect(
      matchResourcesMatch(
        { resourceRules: [rule()], excludeResourceRules: [rule({ resourceNames: ['web'] })] },
        request(),
      ),
    ).toBe(false);
    expect(
      matchResourcesMatch({ resourceRules: [rule({ resourceNames: ['api'] })] }, request()),
    ).toBe(false);
    expect(
      matchResourcesMatch(
        { resourceRules: [rule()], namespaceSelector: { matchLabels: { environment: 'prod' } } },
        request(),
      ),
    ).toBe(false);
    const tier = { resourceRules: [rule()], objectSelector: { matchLabels: { tier: 'front' } } };
    expect(matchResourcesMatch(tier, request())).toBe(true);
    // An update matches when the old object's labels do, even if the new ones do not.
    expect(
      matchResourcesMatch(
        tier,
        request({
          operation: 'UPDATE',
          object: { metadata: { labels: {} } },
          oldObject: { metadata: { labels: { tier: 'front' } } },
        }),
      ),
    ).toBe(true);
    // Cluster-scoped objects have no namespace to select on.
    expect(
      matchResourcesMatch(
        {
          resourceRules: [rule({ resources: ['*'], apiGroups: ['*'] })],
          namespaceSelector: { matchLabels: { a: 'b' } },
        },
        request({ group: '', resource: 'nodes', namespaced: false, namespaceLabels: undefined }),
      ),
    ).toBe(true);
  });
});
