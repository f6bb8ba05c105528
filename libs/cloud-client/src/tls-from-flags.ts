import { ConfigError } from '@app/config';
import { readCaBundle } from '@app/tls';
import type { CloudClientTls } from './tls-transport';

/** The TLS part of the cloud client flags (see withCloudClientFlags in @app/config). */
export interface CloudTlsFlags {
  cloudCaFile?: string;
  cloudInsecureSkipTlsVerify?: boolean;
}

/**
 * The client's trust from `--cloud-ca-file` / `--cloud-insecure-skip-tls-verify`; refuses an
 * unreadable or non-PEM CA file, and both at once (as kubectl does), with a ConfigError naming the
 * option. Undefined: the system roots.
 */
export function cloudClientTlsFromFlags(flags: CloudTlsFlags): CloudClientTls | undefined {
  if (flags.cloudCaFile !== undefined && flags.cloudInsecureSkipTlsVerify) {
    throw new ConfigError(
      '--cloud-insecure-skip-tls-verify (NIMBUS_CLOUD_INSECURE_SKIP_TLS_VERIFY) cannot be combined with --cloud-ca-file: trust the CA (safe) or skip verification (insecure), not both',
    );
  }
  if (flags.cloudInsecureSkipTlsVerify) {
    return { insecureSkipVerify: true };
  }
  return flags.cloudCaFile === undefined
    ? undefined
    : { ca: readCaBundle(flags.cloudCaFile, '--cloud-ca-file') };
}
