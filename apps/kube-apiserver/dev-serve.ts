import { KubeApiServerConfig, validateConfig } from '@app/config';
import { startKubeApiServer } from './src';
(async () => {
  const s = await startKubeApiServer(
    validateConfig(KubeApiServerConfig, { port: 0, dataDir: '/tmp/nimbus-dev/data' }),
    { log: (m, e) => console.error(m, e) },
  );
  console.log(s.url, s.kubeconfigPath);
})();
