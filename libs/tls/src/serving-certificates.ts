import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '@app/common';
import type { ServingNames } from './serving-names';

const DAY_MS = 86_400_000;
const CA_VALIDITY_DAYS = 3650;
/** One year: Apple platforms refuse TLS server certificates valid for more than 825 days. */
const SERVING_VALIDITY_DAYS = 365;
/** A start within this time of the serving certificate's end issues a new one (as k3s does). */
const RENEW_BEFORE_DAYS = 90;
/** Valid from an hour ago, as client-go's self-signed certificates: tolerates clock skew. */
const BACKDATE_MS = 3_600_000;

export interface ServingCertificateSpec {
  /** Directory keeping the files across restarts; undefined = generated in memory, nothing written. */
  dir?: string;
  /** File base names: `<caName>.crt`/`.key` and `<servingName>.crt`/`.key`. */
  caName: string;
  servingName: string;
  caCommonName: string;
  commonName: string;
  names: ServingNames;
  /** Default the wall clock (certificate validity is real time, not the simulation's clock). */
  now?: Date;
}

export interface ServingCertificateFiles {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

export interface ServingCertificates {
  caCert: string;
  cert: string;
  key: string;
  /** Where they are kept (absent in memory). */
  files?: ServingCertificateFiles;
  /** What this start did with the serving certificate. */
  serving: 'generated' | 'reused' | 'reissued';
  /** Why it was issued again, e.g. "it does not name 192.168.1.20". */
  reason?: string;
}

/**
 * A CA and a serving certificate signed by it, generated on first start and kept in `dir` (keys
 * 0600) so that clients trusting the CA keep working across restarts. The serving certificate is
 * issued again from the same CA when it no longer fits — a name it lacks (a new `--host` or extra
 * SAN), a key that does not match, another CA, or less than 90 days left — so clients never notice.
 */
export async function ensureServingCertificates(
  spec: ServingCertificateSpec,
): Promise<ServingCertificates> {
  const now = spec.now ?? new Date();
  const files = spec.dir ? filesIn(spec.dir, spec) : undefined;
  if (files) {
    mkdirSync(spec.dir!, { recursive: true, mode: 0o700 });
  }
  const ca = await ensureCa(spec, files, now);
  const existing =
    files && existsSync(files.cert) && existsSync(files.key)
      ? { cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') }
      : undefined;
  const reason = existing ? unfitBecause(existing, ca.cert, spec.names, now) : undefined;
  if (existing && !reason) {
    return { caCert: ca.cert, ...existing, files, serving: 'reused' };
  }
  const serving = await issueServing(spec, ca, now);
  if (files) {
    writeFileSync(files.cert, serving.cert);
    writePrivateFile(files.key, serving.key);
  }
  return {
    caCert: ca.cert,
    ...serving,
    files,
    serving: existing ? 'reissued' : 'generated',
    reason,
  };
}

/** Loaded when a certificate is issued: clients that only read CA files never pay for it. */
function loadSelfsigned() {
  return import('selfsigned');
}

function filesIn(dir: string, spec: ServingCertificateSpec): ServingCertificateFiles {
  return {
    caCert: join(dir, `${spec.caName}.crt`),
    caKey: join(dir, `${spec.caName}.key`),
    cert: join(dir, `${spec.servingName}.crt`),
    key: join(dir, `${spec.servingName}.key`),
  };
}

async function ensureCa(
  spec: ServingCertificateSpec,
  files: ServingCertificateFiles | undefined,
  now: Date,
): Promise<{ cert: string; key: string }> {
  if (files && existsSync(files.caCert) && existsSync(files.caKey)) {
    const ca = { cert: readFileSync(files.caCert, 'utf8'), key: readFileSync(files.caKey, 'utf8') };
    if (!keyMatches(ca.cert, ca.key)) {
      // Never replaced silently: every client trusting it would break.
      throw new Error(
        `${files.caCert} and ${files.caKey} are not a certificate and its key: delete both to generate a new CA (clients must then trust the new ${files.caCert})`,
      );
    }
    return ca;
  }
  const { generate } = await loadSelfsigned();
  const generated = await generate([{ name: 'commonName', value: spec.caCommonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - BACKDATE_MS),
    notAfterDate: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      {
        name: 'keyUsage',
        keyCertSign: true,
        cRLSign: true,
        digitalSignature: true,
        critical: true,
      },
    ],
  });
  const ca = { cert: generated.cert, key: generated.private };
  if (files) {
    writeFileSync(files.caCert, ca.cert);
    writePrivateFile(files.caKey, ca.key);
  }
  return ca;
}

async function issueServing(
  spec: ServingCertificateSpec,
  ca: { cert: string; key: string },
  now: Date,
): Promise<{ cert: string; key: string }> {
  const { generate } = await loadSelfsigned();
  const serving = await generate([{ name: 'commonName', value: spec.commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - BACKDATE_MS),
    notAfterDate: new Date(now.getTime() + SERVING_VALIDITY_DAYS * DAY_MS),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...spec.names.dnsNames.map((value) => ({ type: 2 as const, value })),
          ...spec.names.ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: serving.cert, key: serving.private };
}

/** Why a kept serving certificate cannot serve on (undefined: it can). */
function unfitBecause(
  serving: { cert: string; key: string },
  caPem: string,
  names: ServingNames,
  now: Date,
): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(serving.cert);
  } catch {
    return 'it cannot be parsed';
  }
  if (!keyMatches(serving.cert, serving.key)) {
    return 'its key does not match it';
  }
  const ca = new X509Certificate(caPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    return 'another CA signed it';
  }
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) {
    return `it expires on ${new Date(cert.validTo).toISOString()}`;
  }
  const dnsNames = new Set(
    (cert.subjectAltName ?? '')
      .split(', ')
      .filter((entry) => entry.startsWith('DNS:'))
      .map((entry) => entry.slice(4).toLowerCase()),
  );
  const missing = [
    ...names.dnsNames.filter((name) => !dnsNames.has(name.toLowerCase())),
    ...names.ips.filter((ip) => cert.checkIP(ip) === undefined),
  ];
  return missing.length > 0 ? `it does not name ${missing.join(', ')}` : undefined;
}

/** True when `keyPem` is the private key of the certificate `certPem`. */
export function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}
