import { kubectlSuite } from './support/test-server';

// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicies through the real kubectl: the
// policies and bindings of the Kubernetes documentation, enforced with upstream's messages.
jest.setTimeout(60_000);

const json = (o: object) => JSON.stringify(o);

const policy = (name: string, spec: object) =>
  json({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec,
  });
const binding = (name: string, spec: object) =>
  json({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name },
    spec,
  });
const deployments = {
  resourceRules: [
    {
      apiGroups: ['apps'],
      apiVersions: ['v1'],
      operations: ['CREATE', 'UPDATE'],
      resources: ['deployments'],
    },
  ],
};

describe('ValidatingAdmissionPolicies', () => {
  const { ok, kubectl: k, ...checks } = kubectlSuite('nimbus-vap-');
  const fails = async (args: string[], input?: string) => (await checks.fails(args, input)).trim();

  it('serves both kinds in the api-extensions category, defaulted and printed as upstream', async () => {
    const resources = await ok(['api-resources', '--api-group=admissionregistration.k8s.io']);
    expect(resources).toMatch(
      /^validatingadmissionpolicies\s+admissionregistration\.k8s\.io\/v1\s+false\s+ValidatingAdmissionPolicy$/m,
    );
    expect(resources).toMatch(
      /^validatingadmissionpolicybindings\s+admissionregistration\.k8s\.io\/v1\s+false\s+ValidatingAdmissionPolicyBinding$/m,
    );
    await ok(
      ['apply', '-f', '-'],
      policy('demo-policy.example.com', {
        matchConstraints: deployments,
        validations: [{ expression: 'object.spec.replicas <= 5' }],
      }),
    );
    const stored = JSON.parse(
      await ok(['get', 'validatingadmissionpolicy', 'demo-policy.example.com', '-o', 'json']),
    ) as {
      spec: { failurePolicy: string; matchConstraints: Record<string, unknown> };
    };
    expect(stored.spec.failurePolicy).toBe('Fail');
    expect(stored.spec.matchConstraints).toMatchObject({
      matchPolicy: 'Equivalent',
      namespaceSelector: {},
      objectSelector: {},
      resourceRules: [expect.objectContaining({ scope: '*' })],
    });
    const table = await ok(['get', 'validatingadmissionpolicies']);
    expect(table.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'VALIDATIONS', 'PARAMKIND', 'AGE']);
    expect(table.split('\n')[1].split(/\s+/).slice(0, 3)).toEqual([
      'demo-policy.example.com',
      '1',
      '<unset>',
    ]);
    expect(await ok(['get', 'api-extensions', '-o', 'name'])).toContain(
      'validatingadmissionpolicy.admissionregistration.k8s.io/demo-policy.example.com',
    );
  });

  it('denies what fails the expression in the namespaces the binding selects (the documentation example)', async () => {
    await ok(
      ['apply', '-f', '-'],
      binding('demo-binding-test.example.com', {
        policyName: 'demo-policy.example.com',
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { environment: 'test' } } },
      }),
    );
    await ok(['create', 'namespace', 'test-env']);
    await ok(['label', 'namespace', 'test-env', 'environment=test']);
    expect(
      await fails([
        'create',
        'deployment',
        'big',
        '--image=nginx',
        '--replicas=6',
        '-n',
        'test-env',
      ]),
    ).toBe(
      `error: failed to create deployment: deployments.apps "big" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5`,
    );
    await ok(['create', 'deployment', 'small', '--image=nginx', '--replicas=2', '-n', 'test-env']);
    // Updates too; the scale subresource is another resource (deployments/scale), not matched.
    expect(
      await fails([
        'patch',
        'deployment',
        'small',
        '-n',
        'test-env',
        '-p',
        '{"spec":{"replicas":9}}',
      ]),
    ).toBe(
      // kubectl prints an Invalid Status by its causes; the policy's has no field (as upstream's).
      `The deployments "small" is invalid: : ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5`,
    );
    await ok(['scale', 'deployment', 'small', '--replicas=9', '-n', 'test-env']);
    // Outside the selected namespaces nothing is checked.
    await ok(['create', 'deployment', 'big', '--image=nginx', '--replicas=6']);
  });

  it('warns instead of denying with validationActions Warn, with the messageExpression', async () => {
    await ok(
      ['apply', '-f', '-'],
      policy('image-tags.example.com', {
        matchConstraints: deployments,
        variables: [
          { name: 'images', expression: 'object.spec.template.spec.containers.map(c, c.image)' },
        ],
        validations: [
          {
            expression: "variables.images.all(i, i.contains(':') && !i.endsWith(':latest'))",
            messageExpression:
              "'images must name a tag other than latest: ' + variables.images.join(', ')",
          },
        ],
      }),
    );
    await ok(
      ['apply', '-f', '-'],
      binding('image-tags-warn.example.com', {
        policyName: 'image-tags.example.com',
        validationActions: ['Warn'],
      }),
    );
    const r = await k(['create', 'deployment', 'untagged', '--image=nginx']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe(
      "Warning: Validation failed for ValidatingAdmissionPolicy 'image-tags.example.com' with binding 'image-tags-warn.example.com': images must name a tag other than latest: nginx",
    );
    const tagged = await k(['create', 'deployment', 'tagged', '--image=nginx:1.27']);
    expect(tagged.stderr).toBe('');
  });

  it('reads params from the ConfigMap the binding names, and refuses when they are missing', async () => {
    await ok(
      ['apply', '-f', '-'],
      policy('replica-limit.example.com', {
        paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
        matchConstraints: deployments,
        validations: [
          {
            expression: 'object.spec.replicas <= int(params.data.maxReplicas)',
            messageExpression:
              "'at most ' + params.data.maxReplicas + ' replicas in ' + request.namespace",
            reason: 'Forbidden',
          },
        ],
      }),
    );
    await ok(['create', 'namespace', 'limited']);
    await ok(
      ['apply', '-f', '-'],
      binding('replica-limit-limited.example.com', {
        policyName: 'replica-limit.example.com',
        validationActions: ['Deny'],
        paramRef: { name: 'replica-limit', parameterNotFoundAction: 'Deny' },
        matchResources: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'limited' } },
        },
      }),
    );
    expect(
      await fails(['create', 'deployment', 'web', '--image=nginx:1.27', '-n', 'limited']),
    ).toBe(
      "error: failed to create deployment: deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'replica-limit.example.com' with binding 'replica-limit-limited.example.com' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
    );
    await ok([
      'create',
      'configmap',
      'replica-limit',
      '-n',
      'limited',
      '--from-literal=maxReplicas=3',
    ]);
    await ok([
      'create',
      'deployment',
      'web',
      '--image=nginx:1.27',
      '--replicas=3',
      '-n',
      'limited',
    ]);
    const denied = await k([
      'create',
      'deployment',
      'wide',
      '--image=nginx:1.27',
      '--replicas=4',
      '-n',
      'limited',
      '-o',
      'json',
    ]);
    expect(denied.stderr.trim()).toBe(
      "error: failed to create deployment: deployments.apps \"wide\" is forbidden: ValidatingAdmissionPolicy 'replica-limit.example.com' with binding 'replica-limit-limited.example.com' denied request: at most 3 replicas in limited",
    );
    const table = await ok([
      'get',
      'validatingadmissionpolicybindings',
      'replica-limit-limited.example.com',
      '--no-headers',
    ]);
    expect(table.split(/\s+/).slice(0, 3)).toEqual([
      'replica-limit-limited.example.com',
      'replica-limit.example.com',
      '*/replica-limit',
    ]);
  });

  it('checks deletes, with match conditions and the object selector', async () => {
    await ok(
      ['apply', '-f', '-'],
      policy('keep-protected.example.com', {
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['DELETE'],
              resources: ['configmaps'],
            },
          ],
          objectSelector: { matchLabels: { protected: 'true' } },
        },
        matchConditions: [
          { name: 'not-admin', expression: "request.userInfo.username != 'nobody'" },
        ],
        validations: [{ expression: 'false', message: 'protected ConfigMaps stay' }],
      }),
    );
    await ok(
      ['apply', '-f', '-'],
      binding('keep-protected.example.com', {
        policyName: 'keep-protected.example.com',
        validationActions: ['Deny'],
      }),
    );
    await ok(['create', 'configmap', 'settings', '--from-literal=a=b']);
    await ok(['label', 'configmap', 'settings', 'protected=true']);
    expect(await fails(['delete', 'configmap', 'settings'])).toBe(
      "The configmaps \"settings\" is invalid: : ValidatingAdmissionPolicy 'keep-protected.example.com' with binding 'keep-protected.example.com' denied request: protected ConfigMaps stay",
    );
    await ok(['label', 'configmap', 'settings', 'protected-']);
    await ok(['delete', 'configmap', 'settings']);
  });

  it('refuses invalid policies and bindings with upstream field errors', async () => {
    expect(
      await fails(
        ['create', '-f', '-'],
        binding('both.example.com', { policyName: 'x', validationActions: ['Deny', 'Warn'] }),
      ),
    ).toBe(
      'The ValidatingAdmissionPolicyBinding "both.example.com" is invalid: spec.validationActions: Invalid value: []admissionregistration.ValidationAction{"Deny", "Warn"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
    );
    expect(
      await fails(
        ['create', '-f', '-'],
        policy('broken.example.com', {
          matchConstraints: deployments,
          validations: [{ expression: 'object.spec.replicas <=' }],
        }),
      ),
    ).toMatch(
      /^The ValidatingAdmissionPolicy "broken\.example\.com" is invalid: spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas <=": compilation failed: /,
    );
    expect(
      await fails(
        ['create', '-f', '-'],
        policy('empty.example.com', { matchConstraints: deployments }),
      ),
    ).toBe(
      'The ValidatingAdmissionPolicy "empty.example.com" is invalid: spec.validations: Required value: validations or auditAnnotations must contain at least one item',
    );
  });
});
