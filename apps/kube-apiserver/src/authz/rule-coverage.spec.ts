import { describeRules, uncovered } from './rule-coverage';

describe('RBAC coverage (policy_comparator.go) for escalation checks', () => {
  const owner = [
    { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'services'] },
    { verbs: ['*'], apiGroups: ['apps'], resources: ['*/scale'] },
    { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] },
    { verbs: ['get'], nonResourceURLs: ['/healthz/*'] },
  ];

  it('should find nothing missing when every single permission is held', () => {
    expect(
      uncovered(owner, [
        { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
        { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments/scale'] },
        { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] },
        { verbs: ['get'], nonResourceURLs: ['/healthz/ping'] },
      ]),
    ).toEqual([]);
  });

  it('should report each missing permission, compacted as upstream prints them', () => {
    const missing = uncovered(owner, [
      { verbs: ['get', 'delete', 'patch'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'] },
      { verbs: ['*'], apiGroups: [''], resources: ['services'] },
    ]);
    expect(describeRules(missing)).toEqual([
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "patch"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["services"], Verbs:["*"]}',
    ]);
  });
});
