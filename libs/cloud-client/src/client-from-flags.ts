import type { Clock } from '@app/common';
import { ConfigError } from '@app/config';
import { NimbusCloudClient } from './cloud-client';
import { cloudClientTlsFromFlags, type CloudTlsFlags } from './tls-from-flags';

/**
 * The cloud client a component builds from its cloud client flags (URL, token, CA file or insecure-skip); a missing
 * token refuses the start with a ConfigError naming the flag and its variable.
 */
export function cloudClientFromFlags(
  flags: { cloudUrl: string; cloudToken?: string } & CloudTlsFlags,
  options: { clock?: Clock; userAgent: string },
): NimbusCloudClient {
  if (!flags.cloudToken) {
    throw new ConfigError('--cloud-token (NIMBUS_CLOUD_TOKEN) is required');
  }
  return new NimbusCloudClient({
    baseUrl: flags.cloudUrl,
    token: flags.cloudToken,
    userAgent: options.userAgent,
    clock: options.clock,
    tls: cloudClientTlsFromFlags(flags),
  });
}
