import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface ServingCertificates {
  caCert: string;
  cert: string;
  key: string;
}

/**
 * A CA and a serving certificate for localhost / 127.0.0.1 / ::1 (+ `host`), generated on first
 * start and kept in the data dir so kubeconfigs stay valid across restarts.
 */
export async function ensureCertificates(
  dataDir: string,
  host: string,
): Promise<ServingCertificates> {
  const paths = {
    caCert: join(dataDir, 'ca.crt'),
    caKey: join(dataDir, 'ca.key'),
    cert: join(dataDir, 'apiserver.crt'),
    key: join(dataDir, 'apiserver.key'),
  };
  if (!existsSync(paths.caCert) || !existsSync(paths.caKey)) {
    const ca = await generate([{ name: 'commonName', value: 'nimbus-kube-ca' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate: new Date(new Date().setFullYear(new Date().getFullYear() + 10)),
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
    writeFileSync(paths.caCert, ca.cert);
    writeFileSync(paths.caKey, ca.private, { mode: 0o600 });
  }
  const caCert = readFileSync(paths.caCert, 'utf8');
  if (!existsSync(paths.cert) || !existsSync(paths.key)) {
    const altNames: { type: 2 | 7; value?: string; ip?: string }[] = [
      { type: 2, value: 'localhost' },
      { type: 2, value: 'kubernetes' },
      { type: 2, value: 'kubernetes.default' },
      { type: 2, value: 'kubernetes.default.svc' },
      { type: 7, ip: '127.0.0.1' },
      { type: 7, ip: '::1' },
    ];
    if (host && !['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(host)) {
      altNames.push(/^[\d.]+$|:/.test(host) ? { type: 7, ip: host } : { type: 2, value: host });
    }
    const serving = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate: new Date(new Date().setFullYear(new Date().getFullYear() + 5)),
      ca: { key: readFileSync(paths.caKey, 'utf8'), cert: caCert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames },
      ],
    });
    writeFileSync(paths.cert, serving.cert);
    writeFileSync(paths.key, serving.private, { mode: 0o600 });
  }
  return { caCert, cert: readFileSync(paths.cert, 'utf8'), key: readFileSync(paths.key, 'utf8') };
}
