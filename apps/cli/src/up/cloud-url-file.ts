import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * File in the data dir holding the URL `nimbus up` serves the cloud API at, so commands run
 * against that data dir (`nimbus lb-address --data-dir …`) find a cloud on a port other than
 * 8080 (`--cloud-port 0` picks any) without being told.
 */
export const CLOUD_URL_FILE = 'cloud-url';

export function recordCloudUrl(dataDir: string, url: string): void {
  writeFileSync(join(dataDir, CLOUD_URL_FILE), `${url}\n`);
}
