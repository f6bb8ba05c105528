import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError, envName } from '@app/config';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** `--tls-cert (NIMBUS_TLS_CERT)`: how an error names the option the user set. */
function optionLabel(option: string): string {
  return `${option} (${envName(option)})`;
}

function readOptionFile(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as { code?: string }).code ?? String(error);
    throw new ConfigError(`${optionLabel(option)}: cannot read ${file} (${reason})`);
  }
}

/** Every certificate of a PEM bundle, each one checked; throws a ConfigError naming the option. */
function certificatesOf(text: string, file: string, option: string): X509Certificate[] {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new ConfigError(`${optionLabel(option)}: ${file} holds no PEM certificate`);
  }
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new ConfigError(
        `${optionLabel(option)}: certificate ${i + 1} in ${file} cannot be parsed`,
      );
    }
  });
}

export interface KeyPair {
  /** PEM: the certificate, then any intermediates, as the file holds them. */
  cert: string;
  key: string;
  certificate: X509Certificate;
}

/**
 * A user's serving certificate and key (`--tls-cert`/`--tls-key`), refused at start when a file is
 * unreadable, is not PEM, the key is encrypted, or the key is not the certificate's.
 */
export function loadKeyPair(
  certFile: string,
  keyFile: string,
  options: { certOption: string; keyOption: string },
): KeyPair {
  const cert = readOptionFile(certFile, options.certOption);
  const [certificate] = certificatesOf(cert, certFile, options.certOption);
  const key = readOptionFile(keyFile, options.keyOption);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    // OpenSSL 3 reports a missing passphrase as "interrupted or cancelled": read the PEM header.
    const encrypted =
      (error as { code?: string }).code === 'ERR_MISSING_PASSPHRASE' ||
      /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key);
    throw new ConfigError(
      `${optionLabel(options.keyOption)}: ${keyFile} ${
        encrypted
          ? 'is encrypted; give an unencrypted key (e.g. openssl pkey -in key.pem -out plain.pem)'
          : 'holds no PEM private key'
      }`,
    );
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConfigError(
      `${optionLabel(options.keyOption)}: the key in ${keyFile} does not belong to the certificate in ${certFile} (${optionLabel(options.certOption)})`,
    );
  }
  return { cert, key, certificate };
}

/** A CA bundle clients trust (`--cloud-ca-file`): PEM certificates, checked at start. */
export function readCaBundle(file: string, option: string): string {
  const text = readOptionFile(file, option);
  certificatesOf(text, file, option);
  return text;
}

/**
 * What is wrong with a user's certificate that does not stop the start but will fail clients:
 * outside its validity period, or not naming a host clients dial.
 */
export function certificateWarnings(
  certificate: X509Certificate,
  hosts: readonly string[],
  now: Date = new Date(),
): string[] {
  const warnings: string[] = [];
  if (new Date(certificate.validTo).getTime() < now.getTime()) {
    warnings.push(`the certificate expired on ${new Date(certificate.validTo).toISOString()}`);
  } else if (new Date(certificate.validFrom).getTime() > now.getTime()) {
    warnings.push(
      `the certificate is not valid before ${new Date(certificate.validFrom).toISOString()}`,
    );
  }
  for (const host of hosts) {
    const covered = isIP(host) ? certificate.checkIP(host) : certificate.checkHost(host);
    if (covered === undefined) {
      warnings.push(`the certificate does not name ${host}: clients dialling it will refuse it`);
    }
  }
  return warnings;
}
