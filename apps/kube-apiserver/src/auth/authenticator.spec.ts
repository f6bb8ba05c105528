import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeToken } from '@app/common';
import { Authenticator } from './authenticator';
import type { ServiceAccountTokens } from './service-account-tokens';
import { TokenAuthenticator } from './token-authenticator';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 9);
let dir: string;
let auth: Authenticator;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nimbus-authn-'));
  // Anything that is neither a static nor a node token ends here: refuse it.
  const serviceAccounts = {
    apiAudiences: ['https://kubernetes.default.svc'],
    validate: () => ({ audiences: [], error: 'invalid bearer token' }),
  } as unknown as ServiceAccountTokens;
  auth = new Authenticator(new TokenAuthenticator(join(dir, 'tokens.csv')), serviceAccounts, KEY);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const userOf = (token: string) => auth.authenticate(`Bearer ${token}`);

it('answers a node token with its node, every time (verified once, then remembered)', () => {
  for (let i = 0; i < 3; i++) {
    expect(userOf(nodeToken(KEY, 'worker-1'))).toEqual({
      name: 'system:node:worker-1',
      uid: '',
      groups: ['system:nodes', 'system:authenticated'],
    });
    expect(userOf(nodeToken(KEY, 'worker-2'))?.name).toBe('system:node:worker-2');
  }
});

it('refuses node tokens of another key or tampered with, also after the node was seen', () => {
  expect(userOf(nodeToken(KEY, 'worker-1'))?.name).toBe('system:node:worker-1');
  expect(userOf(nodeToken(OTHER_KEY, 'worker-1'))).toBeUndefined();
  const [prefix, , mac] = nodeToken(KEY, 'worker-1').split('.');
  const renamed = `${prefix}.${Buffer.from('worker-2').toString('base64url')}.${mac}`;
  expect(userOf(renamed)).toBeUndefined();
  expect(userOf(renamed)).toBeUndefined();
});
