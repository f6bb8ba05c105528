import { resourceAttributes, type PolicyRule, type RequestAttributes } from './policy-rule';
import { nonResourceUrlMatches, resourceMatches, ruleAllows } from './rule-matching';

const rule = (r: Partial<PolicyRule>): PolicyRule => ({ verbs: ['get'], ...r });
const request = (a: Partial<RequestAttributes>): RequestAttributes =>
  resourceAttributes({
    verb: 'get',
    apiVersion: 'v1',
    resource: 'pods',
    namespace: 'default',
    ...a,
  });

describe('RBAC rule matching (evaluation_helpers.go)', () => {
  it.each([
    [['*'], 'pods', '', true],
    [['*'], 'pods/status', 'status', true],
    [['pods'], 'pods', '', true],
    [['pods'], 'pods/status', 'status', false],
    [['pods/status'], 'pods/status', 'status', true],
    [['pods/*'], 'pods/status', 'status', false],
    [['pods/*'], 'pods/*', '*', true],
    [['*/status'], 'pods/status', 'status', true],
    [['*/status'], 'pods', '', false],
    [['*/scale'], 'deployments/status', 'status', false],
    [['*/status'], 'pods/statuses', 'statuses', false],
  ])('resources %j against %s → %s', (resources, combined, sub, expected) => {
    expect(resourceMatches(rule({ resources }), combined, sub)).toBe(expected);
  });

  it.each([
    [['*'], '/anything', true],
    [['/healthz'], '/healthz', true],
    [['/healthz'], '/healthz/ping', false],
    [['/healthz/*'], '/healthz/ping', true],
    [['/healthz/*'], '/healthz', false],
    [['/api*'], '/apis/apps', true],
  ])('nonResourceURLs %j against %s → %s', (urls, path, expected) => {
    expect(nonResourceUrlMatches(rule({ nonResourceURLs: urls }), path)).toBe(expected);
  });

  it('should need verb, group, resource and name to match', () => {
    const r = rule({ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] });
    expect(ruleAllows(request({}), r)).toBe(true);
    expect(ruleAllows(request({ verb: 'delete' }), r)).toBe(false);
    expect(ruleAllows(request({ apiGroup: 'apps' }), r)).toBe(false);
    expect(ruleAllows(request({ verb: '*' }), r)).toBe(false);
    expect(ruleAllows(request({ verb: 'delete' }), { ...r, verbs: ['*'] })).toBe(true);
    expect(ruleAllows(request({ apiGroup: 'apps' }), { ...r, apiGroups: ['*'] })).toBe(true);
  });

  it('should let a resourceNames rule match only requests that name one of them', () => {
    const r = rule({
      verbs: ['get', 'list', 'create'],
      apiGroups: [''],
      resources: ['pods'],
      resourceNames: ['web'],
    });
    expect(ruleAllows(request({ name: 'web' }), r)).toBe(true);
    expect(ruleAllows(request({ name: 'db' }), r)).toBe(false);
    expect(ruleAllows(request({ verb: 'list' }), r)).toBe(false);
    expect(ruleAllows(request({ verb: 'create' }), r)).toBe(false);
    expect(ruleAllows(request({ verb: 'list', name: 'web' }), r)).toBe(true);
  });

  it('should match non-resource requests only by nonResourceURLs', () => {
    const r = rule({ nonResourceURLs: ['/version'] });
    const nonResource = request({ resourceRequest: false, path: '/version', resource: '' });
    expect(ruleAllows(nonResource, r)).toBe(true);
    expect(ruleAllows(nonResource, rule({ apiGroups: ['*'], resources: ['*'] }))).toBe(false);
    expect(ruleAllows(request({}), r)).toBe(false);
  });
});
