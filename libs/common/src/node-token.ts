import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writePrivateFile } from './private-file';

/*
 * Per-node kubelet credentials without client certificates: the api-server keeps a node-token key
 * (`<data-dir>/node-token.key`) and accepts `nimbus-node.<node name>.<HMAC of the node's user>` as
 * the node's own identity, `system:node:<name>` in `system:nodes`. Whoever holds the key can
 * speak for any node and for nothing else, which is what a process simulating many machines
 * needs; the Node authorizer and NodeRestriction confine each node to its own objects.
 */

const PREFIX = 'nimbus-node';
const KEY_BYTES = 32;

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

function macOf(key: Buffer, nodeName: string): Buffer {
  return createHmac('sha256', key).update(`system:node:${nodeName}`).digest();
}

/** The bearer token of node `nodeName` under `key`. */
export function nodeToken(key: Buffer, nodeName: string): string {
  return `${PREFIX}.${b64url(nodeName)}.${b64url(macOf(key, nodeName))}`;
}

/** The node a token speaks for, or undefined when it is not a valid node token under `key`. */
export function verifyNodeToken(key: Buffer, token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) {
    return undefined;
  }
  const nodeName = Buffer.from(parts[1], 'base64url').toString('utf8');
  if (nodeName === '' || b64url(nodeName) !== parts[1]) {
    return undefined;
  }
  const given = Buffer.from(parts[2], 'base64url');
  const expected = macOf(key, nodeName);
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? nodeName
    : undefined;
}

/** Reads a node-token key file (hex); a missing one is generated when `create` is set. */
export function loadNodeTokenKey(file: string, create = false): Buffer {
  if (!existsSync(file)) {
    if (!create) {
      throw new Error(`node token key file ${file} does not exist`);
    }
    writePrivateFile(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length < 16) {
    throw new Error(`node token key file ${file} holds no key (at least 16 hex-encoded bytes)`);
  }
  return key;
}
