import { resolve } from 'node:path';
import { CloudApiConfig, ConfigError } from '@app/config';
import {
  certificateWarnings,
  ensureServingCertificates,
  isLoopbackHost,
  isValidServingName,
  isWildcardHost,
  loadKeyPair,
  servingNames,
} from '@app/tls';

/** File base names in the data dir: apart from the api-server's `ca.*` when `nimbus up` shares it. */
export const CLOUD_CA_NAME = 'cloud-ca';
export const CLOUD_SERVING_NAME = 'cloud-api';
/** The CA clients trust: `<data-dir>/cloud-ca.crt`. */
export const CLOUD_CA_FILE = `${CLOUD_CA_NAME}.crt`;

/** How the cloud API serves HTTPS (absent: plain HTTP). */
export interface ServingTls {
  /** `auto`: generated in the data dir; `files`: the user's `--tls-cert`/`--tls-key`. */
  mode: 'auto' | 'files';
  cert: string;
  key: string;
  /** PEM of the CA clients must trust (`auto` only; a user's CA is the user's). */
  caCert?: string;
  /** `<data-dir>/cloud-ca.crt` (`auto` with a data dir; absent in memory). */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Worth a log line at start: a certificate issued again, a certificate clients will refuse. */
  warnings: string[];
  notes: string[];
}

function label(option: string, variable: string): string {
  return `${option} (${variable})`;
}

/**
 * Reads the `--tls*` flags: refuses bad combinations with one ConfigError naming the option, then
 * loads the user's certificate or generates/reuses the CA and serving certificate in the data dir.
 */
export async function resolveServingTls(config: CloudApiConfig): Promise<ServingTls | undefined> {
  const { tls, tlsCert, tlsKey, tlsSan } = config;
  if (tlsCert !== undefined && tlsKey === undefined) {
    throw new ConfigError(`${label('--tls-key', 'NIMBUS_TLS_KEY')} is required with --tls-cert`);
  }
  if (tlsKey !== undefined && tlsCert === undefined) {
    throw new ConfigError(`${label('--tls-cert', 'NIMBUS_TLS_CERT')} is required with --tls-key`);
  }
  const files = tlsCert !== undefined && tlsKey !== undefined;
  if (files && tls !== undefined) {
    throw new ConfigError(
      `${label('--tls', 'NIMBUS_TLS')}: ${tls} cannot be combined with --tls-cert/--tls-key (they turn HTTPS on with your certificate; --tls auto generates one)`,
    );
  }
  if (tlsSan.length > 0 && tls !== 'auto') {
    throw new ConfigError(
      `${label('--tls-san', 'NIMBUS_TLS_SAN')}: extra names go into the generated certificate; use it with --tls auto`,
    );
  }
  const badName = tlsSan.find((name) => !isValidServingName(name));
  if (badName !== undefined) {
    throw new ConfigError(
      `${label('--tls-san', 'NIMBUS_TLS_SAN')}: "${badName}" is neither an IP address nor a DNS name`,
    );
  }
  if (files) {
    const pair = loadKeyPair(tlsCert, tlsKey, { certOption: '--tls-cert', keyOption: '--tls-key' });
    const dialled = isWildcardHost(config.host) ? [] : [config.host.replace(/^\[(.*)\]$/, '$1')];
    return {
      mode: 'files',
      cert: pair.cert,
      key: pair.key,
      certFile: resolve(tlsCert),
      keyFile: resolve(tlsKey),
      warnings: certificateWarnings(pair.certificate, dialled).map((w) => `--tls-cert: ${w}`),
      notes: [],
    };
  }
  if (tls !== 'auto') {
    return undefined;
  }
  const inMemory = config.dataDir === ':memory:';
  const generated = await ensureServingCertificates({
    dir: inMemory ? undefined : resolve(config.dataDir),
    caName: CLOUD_CA_NAME,
    servingName: CLOUD_SERVING_NAME,
    caCommonName: 'nimbus-cloud-ca',
    commonName: 'nimbus-cloud-api',
    names: servingNames(config.host, tlsSan),
  });
  return {
    mode: 'auto',
    cert: generated.cert,
    key: generated.key,
    caCert: generated.caCert,
    caFile: generated.files?.caCert,
    certFile: generated.files?.cert,
    keyFile: generated.files?.key,
    warnings: [],
    notes:
      generated.serving === 'reissued'
        ? [`serving certificate issued again from the same CA: ${generated.reason}`]
        : [],
  };
}

/** The warning for plain HTTP where other machines can connect: tokens would travel in clear text. */
export function plainHttpWarning(host: string): string | undefined {
  return isLoopbackHost(host)
    ? undefined
    : `plain HTTP on ${host}: bearer tokens cross the network in clear text and anyone on the path can read or reuse them; serve HTTPS with --tls auto (or --tls-cert/--tls-key)`;
}
