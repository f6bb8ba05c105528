import { writePrivateFile } from '@app/common';
import { dump } from 'js-yaml';

export interface KubeconfigInput {
  server: string;
  caCert: string;
  token: string;
  user?: string;
  cluster?: string;
}

/** A kubeconfig with the CA data, server URL and a bearer token (what `nimbus apiserver` writes). */
export function renderKubeconfig(input: KubeconfigInput): string {
  const cluster = input.cluster ?? 'nimbus';
  const user = input.user ?? 'admin';
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: {
          server: input.server,
          'certificate-authority-data': Buffer.from(input.caCert).toString('base64'),
        },
      },
    ],
    users: [{ name: user, user: { token: input.token } }],
    contexts: [{ name: cluster, context: { cluster, user, namespace: 'default' } }],
    'current-context': cluster,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, input: KubeconfigInput): void {
  writePrivateFile(path, renderKubeconfig(input)); // it holds a token
}
