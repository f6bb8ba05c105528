import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { withKeepAlive } from './keep-alive';

/** Loads a kubeconfig file (e.g. `<data-dir>/kubeconfig` written by `nimbus apiserver`). */
export function loadKubeConfig(path: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (context) {
    kc.setCurrentContext(context);
  }
  return withKeepAlive(kc);
}

/** Where a pod finds its service-account token and the cluster CA. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterOptions {
  /** Prefix of the service-account directory (tests: a temp dir holding `var/run/secrets/…`). */
  root?: string;
  /** Replaces `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT` (tests). */
  server?: string;
}

/**
 * In a pod: the mounted service-account token and CA plus the KUBERNETES_SERVICE_HOST/PORT
 * variables, which client-node's loadFromCluster reads itself. The token is read from its file
 * again every minute, so the kubelet's rotation of projected (bound) tokens is picked up.
 */
export function inClusterKubeConfig(options: InClusterOptions = {}): KubeConfig {
  const root = options.root ?? '';
  if (!existsSync(`${root}${SERVICE_ACCOUNT_DIR}/token`)) {
    throw new Error(
      `no --kubeconfig given and not in a pod (${root}${SERVICE_ACCOUNT_DIR}/token is missing)`,
    );
  }
  const kc = new KubeConfig();
  kc.loadFromCluster(root);
  if (options.server) {
    kc.clusters = kc.clusters.map((c) => ({ ...c, server: options.server! }));
  }
  return withKeepAlive(kc);
}

/** `--kubeconfig` when given, else the in-cluster config. */
export function kubeConfigFor(kubeconfigPath: string | undefined): KubeConfig {
  return kubeconfigPath ? loadKubeConfig(kubeconfigPath) : inClusterKubeConfig();
}

/** The cluster of the kubeconfig at `path`, authenticated with `token` instead (a component's own user). */
export function kubeConfigWithToken(path: string, token: string, user = 'component'): KubeConfig {
  const base = loadKubeConfig(path);
  const cluster = base.getCurrentCluster();
  if (!cluster) {
    throw new Error(`kubeconfig ${path} has no current cluster`);
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  return withKeepAlive(kc);
}
