import { chmodSync, writeFileSync } from 'node:fs';

/**
 * Writes a secret (a private key, a token) readable by its owner only. The mode of writeFileSync
 * applies to new files only, so an existing file is chmod-ed too.
 */
export function writePrivateFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}
