import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { tempDir } from '@app/testing';
import { NimbusProcess, ensureBuilt } from './nimbus-process';

// Security basics on a full `nimbus up --cloud-tls` run (the built CLI as a child process, debug
// logging): every client — the test's, the CCM's — reaches the cloud API over HTTPS trusting the
// generated CA, no token ever appears in what it prints, and every file holding a secret is
// owner-only.
jest.setTimeout(300_000);

const TOKEN = 'secret-project-token-4f2a9c';
const ADMIN_TOKEN = 'secret-admin-token-77b1e0d3';
const WRONG = ['wrong-token-should-not-be-logged-1', 'Bearer-lookalike-9d8c7b6a5f4e'];

beforeAll(() => ensureBuilt());

/** An HTTPS call trusting `ca`; resolves with the status. */
function httpsCall(
  url: string,
  path: string,
  ca: string,
  token: string,
  method = 'GET',
  body?: object,
) {
  return new Promise<number>((resolve, reject) => {
    const text = body ? JSON.stringify(body) : undefined;
    const req = request(
      `${url}${path}`,
      {
        method,
        ca,
        agent: false,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(text ? { 'Content-Type': 'application/json' } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

it('never prints a token, and keeps secrets and keys owner-only (0600)', async () => {
  const dir = tempDir('nimbus-secrets-');
  const up = NimbusProcess.start(
    [
      'up',
      '--data-dir',
      dir.path,
      '--cloud-port',
      '0',
      '--apiserver-port',
      '0',
      '--ccm-port',
      '0',
      '--controller-manager-port',
      '0',
      '--scheduler-port',
      '0',
      '--proxy-healthz-port',
      '0',
      '--proxy-metrics-port',
      '0',
      '--workers',
      '1',
      '--log-level',
      'debug',
      '--transition-ms',
      '0',
      '--cloud-tls',
    ],
    { NIMBUS_TOKEN: TOKEN, NIMBUS_ADMIN_TOKEN: ADMIN_TOKEN },
  );
  try {
    const cloudUrl = (await up.waitFor(/cloud API:\s+(https\S+)/))[1];
    const kubeUrl = (await up.waitFor(/kube-apiserver:\s+(https\S+)/))[1];
    const ca = readFileSync(join(dir.path, 'ca.crt'), 'utf8');
    const cloudCa = readFileSync(join(dir.path, 'cloud-ca.crt'), 'utf8');
    const kubeTokens = readFileSync(join(dir.path, 'tokens.csv'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(',')[0]);
    const admin = readFileSync(join(dir.path, 'tokens.csv'), 'utf8')
      .split('\n')
      .find((l) => l.split(',')[1] === 'admin')!
      .split(',')[0];

    // Calls that use every kind of token, good and bad, on both servers.
    const created = await httpsCall(cloudUrl, '/v1/instances', cloudCa, TOKEN, 'POST', {
      name: 'sec-1',
      zone: 'nimbus-1a',
      instanceType: 'nb.small',
    });
    expect(created).toBeLessThan(300);
    expect(await httpsCall(cloudUrl, '/v1/instances', cloudCa, WRONG[0])).toBe(401);
    expect(await httpsCall(cloudUrl, '/admin/audit', cloudCa, ADMIN_TOKEN)).toBe(200);
    // Without the CA the handshake fails: nothing is sent, not even the token.
    await expect(httpsCall(cloudUrl, '/v1/instances', ca, TOKEN)).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(await httpsCall(kubeUrl, '/api/v1/nodes', ca, admin)).toBe(200);
    expect(await httpsCall(kubeUrl, '/api/v1/nodes', ca, WRONG[1])).toBe(401);
    expect(
      await httpsCall(kubeUrl, '/api/v1/nodes', ca, admin, 'POST', {
        metadata: { name: 'sec-1' },
        spec: {
          taints: [
            {
              key: 'node.cloudprovider.kubernetes.io/uninitialized',
              value: 'true',
              effect: 'NoSchedule',
            },
          ],
        },
      }),
    ).toBe(201);
    // The CCM used its tokens on both servers (the cloud over HTTPS): it initialised the node.
    await up.waitFor(/Successfully initialized node sec-1/, 60_000);

    up.child.kill('SIGINT');
    const code = await up.exited;
    expect(code).toBe(0); // one Ctrl-C: an orderly shutdown, exit 0
    const printed = up.output();
    const ccmToken = existsSync(join(dir.path, 'ccm-token'))
      ? readFileSync(join(dir.path, 'ccm-token'), 'utf8').trim()
      : undefined;
    const secrets = [TOKEN, ADMIN_TOKEN, ...WRONG, ...kubeTokens, ...(ccmToken ? [ccmToken] : [])];
    expect(secrets.filter((secret) => printed.includes(secret))).toEqual([]);
    expect(printed).toContain('Successfully initialized node sec-1'); // the logs were captured

    const files = [
      'cloud.sqlite',
      'kube.sqlite',
      'ca.key',
      'apiserver.key',
      'cloud-ca.key',
      'cloud-api.key',
      'tokens.csv',
      'kubeconfig',
    ];
    const modes = Object.fromEntries(
      files
        .filter((f) => existsSync(join(dir.path, f)))
        .map((f) => [f, (statSync(join(dir.path, f)).mode & 0o777).toString(8)]),
    );
    expect(modes).toEqual(Object.fromEntries(files.map((f) => [f, '600'])));
  } finally {
    await up.kill();
    dir.remove();
  }
});
