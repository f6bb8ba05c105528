import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writePrivateFile } from '@app/common';

export interface ServiceAccountKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The JWT `kid`: unpadded base64url of the SHA-256 of the PKIX public key (keyIDFromPublicKey). */
  keyId: string;
}

/**
 * The key pair that signs ServiceAccount tokens (kube-apiserver's
 * `--service-account-signing-key-file`), generated on first start in the data dir next to the CA
 * (`sa.key` 0600, `sa.pub`), so tokens stay valid across restarts. Generated off the main thread
 * (an RSA-2048 key takes ~0.1–0.3 s of CPU), so the start goes on meanwhile.
 */
export async function ensureServiceAccountKeys(dataDir: string): Promise<ServiceAccountKeys> {
  const keyFile = join(dataDir, 'sa.key');
  const pubFile = join(dataDir, 'sa.pub');
  if (!existsSync(keyFile)) {
    const pair = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    writePrivateFile(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    writePrivateFile(pubFile, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  }
  const privateKey = createPrivateKey(readFileSync(keyFile));
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    privateKey,
    publicKey,
    keyId: createHash('sha256').update(der).digest('base64url'),
  };
}
