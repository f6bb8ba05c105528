import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writePrivateFile } from '@app/common';
import { join } from 'node:path';
import type { RunningCloudApi } from '../../../cloud-api/src/start-cloud-api';
import { DEFAULT_PROJECT, ProjectsService } from '../../../cloud-api/src/projects/projects.service';

/** File in the data dir holding the CCM's own cloud token. */
export const CCM_TOKEN_FILE = 'ccm-token';

/**
 * The cloud token `nimbus up` gives its CCM: NIMBUS_TOKEN when fixed; otherwise a dedicated token of
 * the default project, created once through the admin path in-process (no admin secret needed)
 * and kept in `<data-dir>/ccm-token` (mode 600) for later starts.
 */
export function ccmCloudToken(cloud: RunningCloudApi, dataDir: string, fixed?: string): string {
  if (fixed) {
    return fixed;
  }
  const file = join(dataDir, CCM_TOKEN_FILE);
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved) {
      return saved;
    }
  }
  const { secret } = cloud.app.get(ProjectsService).createToken(DEFAULT_PROJECT, {
    name: `cloud-controller-manager-${randomBytes(4).toString('hex')}`,
  });
  writePrivateFile(file, `${secret}\n`);
  return secret;
}
