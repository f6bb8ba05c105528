import { resolve } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread running `<dir>/<entry>.js` — or, when this code runs from its
 * TypeScript sources (tests, benches under ts-node), `<dir>/<entry>.ts` after registering ts-node
 * (SWC, transpile only) and the `@app/*` path aliases in the thread, which starts with neither.
 */
export function spawnWorker(dir: string, entry: string, options: WorkerOptions = {}): Worker {
  if (!__filename.endsWith('.ts')) {
    return new Worker(resolve(dir, `${entry}.js`), options);
  }
  const root = resolve(__dirname, '../../..');
  const source = `
    require('ts-node').register({
      transpileOnly: true,
      swc: true,
      project: ${JSON.stringify(resolve(root, 'tsconfig.json'))},
      // ts-node 10 hands SWC targets up to ES2022 only.
      compilerOptions: { target: 'ES2022' },
    });
    const paths = require('tsconfig-paths');
    const config = paths.loadConfig(${JSON.stringify(root)});
    paths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });
    require(${JSON.stringify(resolve(dir, `${entry}.ts`))});
  `;
  return new Worker(source, { ...options, eval: true });
}
