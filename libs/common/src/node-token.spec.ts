import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeTokenKey, nodeToken, verifyNodeToken } from './node-token';

describe('node tokens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-node-token-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should speak for exactly the node it was made for, under exactly its key', () => {
    const file = join(dir, 'node-token.key');
    const key = loadNodeTokenKey(file, true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadNodeTokenKey(file)).toEqual(key); // kept across starts
    const token = nodeToken(key, 'worker-1');
    expect(verifyNodeToken(key, token)).toBe('worker-1');
    expect(verifyNodeToken(key, nodeToken(key, 'worker-2'))).toBe('worker-2');
    // Another key, a swapped name, a truncated MAC, other token kinds: not a node.
    expect(verifyNodeToken(Buffer.alloc(32, 1), token)).toBeUndefined();
    const [prefix, , mac] = token.split('.');
    const swapped = `${prefix}.${Buffer.from('worker-2').toString('base64url')}.${mac}`;
    expect(verifyNodeToken(key, swapped)).toBeUndefined();
    expect(verifyNodeToken(key, token.slice(0, -2))).toBeUndefined();
    expect(verifyNodeToken(key, 'abc.def.ghi')).toBeUndefined();
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should refuse a missing key file unless asked to create it', () => {
    expect(() => loadNodeTokenKey(join(dir, 'absent.key'))).toThrow(/does not exist/);
  });
});
