import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writePrivateFile } from '@app/common';
import { join } from 'node:path';
import type { RunningCloudApi } from '../../../cloud-api/src/start-cloud-api';
import { DEFAULT_PROJECT, ProjectsService } from '../../../cloud-api/src/projects/projects.service';

/** File in the data dir holding the CCM's own cloud token. */
export const CCM_TOKEN_FILE = 'ccm-token';

/**
 * The cloud token `nimbus up` gives one of its components (`cloud-controller-manager`,
 * `kubelet`, `kube-proxy`): NIMBUS_TOKEN when fixed; otherwise a dedicated token of the default
 * project, created once through the admin path in-process (no admin secret needed) and kept in
 * `<data-dir>/<file>` (mode 600) for later starts.
 */
export function componentCloudToken(
  cloud: RunningCloudApi,
  dataDir: string,
  component: string,
  file: string,
  fixed?: string,
): string {
  if (fixed) {
    return fixed;
  }
  const path = join(dataDir, file);
  if (existsSync(path)) {
    const saved = readFileSync(path, 'utf8').trim();
    if (saved) {
      return saved;
    }
  }
  const { secret } = cloud.app.get(ProjectsService).createToken(DEFAULT_PROJECT, {
    name: `${component}-${randomBytes(4).toString('hex')}`,
  });
  writePrivateFile(path, `${secret}\n`);
  return secret;
}

/** The CCM's cloud token (`<data-dir>/ccm-token`). */
export function ccmCloudToken(cloud: RunningCloudApi, dataDir: string, fixed?: string): string {
  return componentCloudToken(cloud, dataDir, 'cloud-controller-manager', CCM_TOKEN_FILE, fixed);
}
