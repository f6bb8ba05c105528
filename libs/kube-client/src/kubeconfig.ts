import { KubeConfig } from '@kubernetes/client-node';

/** Loads a kubeconfig file (e.g. `<data-dir>/kubeconfig` written by `nimbus apiserver`). */
export function loadKubeConfig(path: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (context) {
    kc.setCurrentContext(context);
  }
  return kc;
}
