import { KubeApiserverSchema1795724972982 } from './1795724972982-KubeApiserverSchema';
import { DropApplyIntents1795800000000 } from './1795800000000-DropApplyIntents';

/** Every kube-apiserver migration, in order (listed explicitly: globs break in bundles). */
export const kubeApiServerMigrations = [
  KubeApiserverSchema1795724972982,
  DropApplyIntents1795800000000,
];
