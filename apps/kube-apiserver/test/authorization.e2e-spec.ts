import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationV1Api, AuthorizationV1Api, CoreV1Api, KubeConfig } from '@app/kube-client';
import { raw } from './support/raw-client';
import {
  createServiceAccount,
  eventually,
  kubectlFor,
  requireKubectl,
  startTestServer,
  type Kubectl,
  type TestServer,
} from './support/test-server';

jest.setTimeout(120_000);

const BOT = 'system:serviceaccount:team:bot';

/*
 * Authentication and RBAC end to end with the real kubectl and client-node: ServiceAccount tokens
 * from TokenRequest, the exact 403, bindings taking effect at once, `auth can-i [--list]`,
 * `auth whoami`, impersonation, escalation prevention, aggregation, bound tokens, TokenReview,
 * SubjectAccessReview and the OIDC discovery documents.
 */
describe('authentication and RBAC (e2e)', () => {
  let t: TestServer;
  let admin: Kubectl;
  let token: string;
  const cache = mkdtempSync(join(tmpdir(), 'nimbus-kubectl-cache-'));
  /** kubectl as the `bot` ServiceAccount (its TokenRequest token instead of the admin's). */
  const asBot = (args: string[]) => admin(['--token', token, ...args]);

  beforeAll(async () => {
    requireKubectl();
    t = await startTestServer({ logLevel: 'silent' });
    admin = kubectlFor(t.server.kubeconfigPath, cache);
    expect((await admin(['create', 'namespace', 'team'])).code).toBe(0);
    await createServiceAccount(t.server, 'team', 'default');
    await createServiceAccount(t.server, 'team', 'bot');
    const created = await admin(['create', 'token', 'bot', '-n', 'team']);
    expect(created.stderr).toBe('');
    token = created.stdout.trim();
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  it('should issue a signed JWT with upstream claims that kubectl auth whoami reads back', async () => {
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'RS256' });
    expect(payload).toMatchObject({
      iss: 'https://kubernetes.default.svc.cluster.local',
      aud: ['https://kubernetes.default.svc.cluster.local'],
      sub: BOT,
      'kubernetes.io': { namespace: 'team', serviceaccount: { name: 'bot' } },
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);

    const whoami = await asBot(['auth', 'whoami']);
    expect(whoami.stderr).toBe('');
    expect(whoami.stdout).toMatch(new RegExp(`Username\\s+${BOT}`));
    expect(whoami.stdout).toMatch(
      /Groups\s+\[system:serviceaccounts system:serviceaccounts:team system:authenticated\]/,
    );
  });

  it('should refuse what no binding grants with the exact 403, then allow it once a RoleBinding does', async () => {
    const denied = await asBot(['get', 'pods', '-n', 'team']);
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim()).toBe(
      `Error from server (Forbidden): pods is forbidden: User "${BOT}" cannot list resource "pods" in API group "" in the namespace "team"`,
    );
    const named = await raw(t.server, '/api/v1/nodes/n1', {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(named.status).toBe(403);
    expect(named.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `nodes "n1" is forbidden: User "${BOT}" cannot get resource "nodes" in API group "" at the cluster scope`,
      reason: 'Forbidden',
      details: { name: 'n1', kind: 'nodes' },
      code: 403,
    });
    const path = await raw(t.server, '/metrics', { headers: { Authorization: `Bearer ${token}` } });
    expect(path.json().message).toBe(`forbidden: User "${BOT}" cannot get path "/metrics"`);

    expect((await asBot(['auth', 'can-i', 'list', 'pods', '-n', 'team'])).stdout.trim()).toBe('no');
    const bound = await admin([
      'create',
      'rolebinding',
      'bot-view',
      '--clusterrole=view',
      '--serviceaccount=team:bot',
      '-n',
      'team',
    ]);
    expect(bound.stderr).toBe('');
    const allowed = await asBot(['get', 'pods', '-n', 'team']);
    expect(allowed.stderr).toBe('No resources found in team namespace.\n');
    const canI = await asBot(['auth', 'can-i', 'list', 'pods', '-n', 'team']);
    expect([canI.code, canI.stdout.trim()]).toEqual([0, 'yes']);
    // A RoleBinding grants nothing outside its namespace.
    const elsewhere = await asBot(['auth', 'can-i', 'list', 'pods', '-n', 'default']);
    expect([elsewhere.code, elsewhere.stdout.trim()]).toEqual([1, 'no']);
    expect((await asBot(['auth', 'can-i', 'create', 'pods', '-n', 'team'])).stdout.trim()).toBe(
      'no',
    );
  });

  it('should list the rules with kubectl auth can-i --list', async () => {
    const list = await asBot(['auth', 'can-i', '--list', '-n', 'team']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/m);
    expect(list.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(list.stdout).toMatch(
      /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m,
    );
    expect(list.stdout).toMatch(/^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
  });

  it('should follow aggregation: a ClusterRole labelled aggregate-to-view extends view at once', async () => {
    expect(
      (
        await asBot(['auth', 'can-i', 'list', 'leases.coordination.k8s.io', '-n', 'team'])
      ).stdout.trim(),
    ).toBe('no');
    const applied = await admin(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: {
          name: 'lease-viewer',
          labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' },
        },
        rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['list'] }],
      }),
    });
    expect(applied.stderr).toBe('');
    await eventually(async () => {
      const r = await asBot(['auth', 'can-i', 'list', 'leases.coordination.k8s.io', '-n', 'team']);
      expect(r.stdout.trim()).toBe('yes');
    });
    const view = await admin(['get', 'clusterrole', 'view', '-o', 'json']);
    const rules = (JSON.parse(view.stdout) as { rules: { resources?: string[] }[] }).rules;
    expect(rules.some((r) => r.resources?.includes('leases'))).toBe(true);
  });

  it('should impersonate with --as only for users allowed to, and check can-i as them', async () => {
    const asBotByAdmin = await admin(['auth', 'can-i', 'list', 'pods', '-n', 'team', '--as', BOT]);
    expect(asBotByAdmin.stdout.trim()).toBe('yes');
    const whoami = await admin(['auth', 'whoami', '--as', 'alice', '--as-group', 'devs']);
    expect(whoami.stdout).toMatch(/Username\s+alice/);
    expect(whoami.stdout).toMatch(/Groups\s+\[devs system:authenticated\]/);
    const refused = await asBot(['get', 'pods', '-n', 'team', '--as', 'alice']);
    expect(refused.stderr.trim()).toBe(
      `Error from server (Forbidden): users "alice" is forbidden: User "${BOT}" cannot impersonate resource "users" in API group "" at the cluster scope`,
    );
  });

  it('should refuse a Role granting more than its creator holds, unless it may escalate', async () => {
    await admin(['apply', '-f', '-'], {
      input: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'rbac-editor', namespace: 'team' },
          rules: [
            {
              apiGroups: ['rbac.authorization.k8s.io'],
              resources: ['roles', 'rolebindings'],
              verbs: ['create', 'get'],
            },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'bot-rbac-editor', namespace: 'team' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'rbac-editor' },
          subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'team' }],
        },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    });
    const role = (name: string, verbs: string[]) =>
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name, namespace: 'team' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
      });
    const ok = await admin(['--token', token, 'create', '-f', '-'], {
      input: role('pod-reader', ['get', 'list']),
    });
    expect(ok.stderr).toBe('');
    const escalate = await admin(['--token', token, 'create', '-f', '-'], {
      input: role('pod-killer', ['delete', 'get']),
    });
    expect(escalate.code).toBe(1);
    expect(escalate.stderr.trim()).toBe(
      `Error from server (Forbidden): error when creating "STDIN": roles.rbac.authorization.k8s.io "pod-killer" is forbidden: user "${BOT}" (groups=["system:serviceaccounts" "system:serviceaccounts:team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`,
    );
    // Binding a role it does not hold (edit) is refused the same way; binding view is allowed.
    const bindEdit = await admin([
      '--token',
      token,
      'create',
      'rolebinding',
      'x',
      '--clusterrole=edit',
      '--user=eve',
      '-n',
      'team',
    ]);
    expect(bindEdit.stderr).toContain('is attempting to grant RBAC permissions not currently held');
    const bindView = await admin([
      '--token',
      token,
      'create',
      'rolebinding',
      'y',
      '--clusterrole=view',
      '--user=eve',
      '-n',
      'team',
    ]);
    expect(bindView.stderr).toBe('');
  });

  it('should invalidate a token bound to a pod once the pod is deleted', async () => {
    await admin([
      'run',
      'p1',
      '-n',
      'team',
      '--image=nginx',
      '--overrides',
      '{"spec":{"serviceAccountName":"bot"}}',
    ]);
    const created = await admin([
      'create',
      'token',
      'bot',
      '-n',
      'team',
      '--bound-object-kind=Pod',
      '--bound-object-name=p1',
      '--duration=15m',
    ]);
    expect(created.stderr).toBe('');
    const podToken = created.stdout.trim();
    const claims = JSON.parse(Buffer.from(podToken.split('.')[1], 'base64url').toString()) as {
      exp: number;
      iat: number;
      'kubernetes.io': { pod: { name: string } };
    };
    expect(claims['kubernetes.io'].pod.name).toBe('p1');
    expect(claims.exp - claims.iat).toBe(900);
    expect((await admin(['--token', podToken, 'auth', 'whoami'])).stdout).toMatch(
      /pod-name\s+\[p1\]/,
    );
    await admin(['delete', 'pod', 'p1', '-n', 'team', '--grace-period=0', '--force']);
    await eventually(async () => {
      const after = await admin(['--token', podToken, 'auth', 'whoami']);
      expect(after.stderr).toContain('Unauthorized');
    });
    const short = await admin(['create', 'token', 'bot', '-n', 'team', '--duration=5m']);
    expect(short.stderr).toContain(
      'spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes',
    );
  });

  it('should answer TokenReview, SubjectAccessReview and SelfSubjectAccessReview through client-node', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(t.server.kubeconfigPath);
    const review = await kc.makeApiClient(AuthenticationV1Api).createTokenReview({
      body: { spec: { token } },
    });
    expect(review.status).toMatchObject({
      authenticated: true,
      user: { username: BOT, groups: expect.arrayContaining(['system:serviceaccounts:team']) },
      audiences: ['https://kubernetes.default.svc.cluster.local'],
    });
    const bogus = await kc.makeApiClient(AuthenticationV1Api).createTokenReview({
      body: { spec: { token: 'not-a-token' } },
    });
    expect(bogus.status?.authenticated).toBeFalsy();

    const authz = kc.makeApiClient(AuthorizationV1Api);
    const sar = await authz.createSubjectAccessReview({
      body: {
        spec: {
          user: BOT,
          groups: ['system:serviceaccounts'],
          resourceAttributes: { namespace: 'team', verb: 'watch', resource: 'pods' },
        },
      },
    });
    expect(sar.status).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by RoleBinding "bot-view/team" of ClusterRole "view" to ServiceAccount "bot/team"',
    });
    const local = await authz.createNamespacedLocalSubjectAccessReview({
      namespace: 'team',
      body: {
        metadata: { namespace: 'team' },
        spec: {
          user: 'eve',
          resourceAttributes: { namespace: 'team', verb: 'delete', resource: 'pods' },
        },
      },
    });
    expect(local.status?.allowed).toBe(false);

    // As the bot: its own client, its own review, and a 403 client-node surfaces.
    const botKc = new KubeConfig();
    botKc.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: t.server.url,
          caData: Buffer.from(t.server.caCert).toString('base64'),
        },
      ],
      users: [{ name: 'bot', token }],
      contexts: [{ name: 'bot', cluster: 'c', user: 'bot' }],
      currentContext: 'bot',
    });
    const self = await botKc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { namespace: 'team', verb: 'list', resource: 'pods' } } },
    });
    expect(self.status?.allowed).toBe(true);
    await expect(botKc.makeApiClient(CoreV1Api).listNode()).rejects.toMatchObject({ code: 403 });
  });

  it('should publish the OIDC discovery documents whose key verifies the tokens', async () => {
    const config = (await raw(t.server, '/.well-known/openid-configuration')).json<{
      issuer: string;
      jwks_uri: string;
    }>();
    expect(config.issuer).toBe('https://kubernetes.default.svc.cluster.local');
    expect(config.jwks_uri).toBe(`${t.server.url}/openid/v1/jwks`);
    // Readable by any ServiceAccount (system:service-account-issuer-discovery).
    const jwks = await raw(t.server, '/openid/v1/jwks', {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(jwks.status).toBe(200);
    const [key] = jwks.json<{ keys: { kid: string; n: string; e: string; kty: string }[] }>().keys;
    const [header, payload, signature] = token.split('.');
    expect((JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string }).kid).toBe(
      key.kid,
    );
    const publicKey = createPublicKey({ key: { kty: key.kty, n: key.n, e: key.e }, format: 'jwk' });
    expect(
      verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        publicKey,
        Buffer.from(signature, 'base64url'),
      ),
    ).toBe(true);
  });

  it('should authorise each component identity by its upstream bootstrap role', async () => {
    const as = (user: string, args: string[]) =>
      admin(['--token', t.server.tokenFor(user)!, 'auth', 'can-i', ...args]);
    const answer = async (user: string, args: string[]) => (await as(user, args)).stdout.trim();
    expect(
      await answer('system:kube-scheduler', ['create', 'pods', '--subresource=binding', '-n', 'x']),
    ).toBe('yes');
    expect(await answer('system:kube-scheduler', ['delete', 'nodes'])).toBe('no');
    expect(await answer('system:kube-proxy', ['list', 'endpointslices.discovery.k8s.io'])).toBe(
      'yes',
    );
    expect(await answer('system:kube-proxy', ['create', 'pods'])).toBe('no');
    // The simulated kubelets' shared identity only lists and watches; nodes write as themselves.
    expect(await answer('system:nimbus-kubelet', ['watch', 'pods', '-A'])).toBe('yes');
    expect(await answer('system:nimbus-kubelet', ['patch', 'nodes', '--subresource=status'])).toBe(
      'no',
    );
    expect(
      await answer('system:cloud-controller-manager', [
        'patch',
        'services',
        '--subresource=status',
      ]),
    ).toBe('yes');
    expect(await answer('system:cloud-controller-manager', ['list', 'secrets'])).toBe('no');
    expect(
      await answer('system:kube-controller-manager', ['create', 'replicasets.apps', '-n', 'x']),
    ).toBe('yes');
  });

  it('should list the review kinds in discovery with their one verb', async () => {
    const res = await admin(['api-resources', '--api-group=authorization.k8s.io', '-o', 'wide']);
    expect(res.stdout).toMatch(
      /^selfsubjectaccessreviews\s+authorization\.k8s\.io\/v1\s+false\s+SelfSubjectAccessReview\s+create\s*$/m,
    );
    expect(res.stdout).toMatch(
      /^localsubjectaccessreviews\s+authorization\.k8s\.io\/v1\s+true\s+LocalSubjectAccessReview\s+create\s*$/m,
    );
    const get = await raw(t.server, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    expect(get.status).toBe(405);
  });
});
