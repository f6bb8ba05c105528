import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { AdjustableClock } from '@app/common';
import { COMPONENT_USERS } from '../auth/token-authenticator';
import { startKubeApiServer, type RunningKubeApiServer } from '../start-kube-apiserver';
import type { ThreadDone, ThreadReady, ThreadRequest, ThreadStart } from './thread-protocol';

// The body of the api-server's worker thread (`startKubeApiServerThread`): starts the server
// on the shared clock, says where it serves, then answers the starting thread's calls.

async function main(start: ThreadStart): Promise<void> {
  const port = parentPort!;
  const logger = pino({ level: start.logLevel, name: 'kube-apiserver' });
  const server = await startKubeApiServer(start.config, {
    clock: AdjustableClock.following(start.clockBuffer),
    log: (message, error) => logger.error({ err: error }, message),
  });
  const tokens: Record<string, string> = {};
  for (const user of COMPONENT_USERS) {
    const token = server.tokenFor(user.name);
    if (token) {
      tokens[user.name] = token;
    }
  }
  const ready: ThreadReady = {
    type: 'ready',
    url: server.url,
    port: server.port,
    kubeconfigPath: server.kubeconfigPath,
    adminToken: server.adminToken,
    caCert: server.caCert,
    nodeTokenKeyFile: server.nodeTokenKeyFile,
    tokens,
  };
  port.on('message', (request: ThreadRequest) => {
    void answer(server, request).then((done) => {
      port.postMessage(done);
      if (request.call === 'close') {
        port.close(); // nothing else keeps the thread alive: it ends
      }
    });
  });
  port.postMessage(ready);
}

async function answer(server: RunningKubeApiServer, request: ThreadRequest): Promise<ThreadDone> {
  try {
    const value =
      request.call === 'compact'
        ? server.compact()
        : request.call === 'closeWatches'
          ? server.closeWatches()
          : await server.close();
    return { type: 'done', id: request.id, value };
  } catch (error) {
    return { type: 'done', id: request.id, error: String(error) };
  }
}

// A failed start is thrown uncaught: the starting thread sees it as the worker's 'error' event.
main(workerData as ThreadStart).catch((error: unknown) =>
  setImmediate(() => {
    throw error;
  }),
);
