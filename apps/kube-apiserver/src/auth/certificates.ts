import { ensureServingCertificates, servingNames } from '@app/tls';

export interface ServingCertificates {
  caCert: string;
  cert: string;
  key: string;
}

/**
 * The api-server's CA (`ca.crt`/`ca.key`) and serving certificate (`apiserver.crt`/`.key`) for
 * localhost, the in-cluster names, 127.0.0.1, ::1 and `host`: generated on first start and kept in
 * the data dir so kubeconfigs stay valid across restarts (the serving certificate is issued again
 * from the same CA when `host` changes).
 */
export async function ensureCertificates(
  dataDir: string,
  host: string,
): Promise<ServingCertificates> {
  const { caCert, cert, key } = await ensureServingCertificates({
    dir: dataDir,
    caName: 'ca',
    servingName: 'apiserver',
    caCommonName: 'nimbus-kube-ca',
    commonName: 'kube-apiserver',
    names: servingNames(host, [], {
      dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    }),
  });
  return { caCert, cert, key };
}
