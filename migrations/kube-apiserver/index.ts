import { KubeApiserverSchema1795724972982 } from './1795724972982-KubeApiserverSchema';

/** Every kube-apiserver migration, in order (listed explicitly: globs break in bundles). */
export const kubeApiServerMigrations = [KubeApiserverSchema1795724972982];
