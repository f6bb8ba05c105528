import { getHeapStatistics } from 'node:v8';
import type { Worker } from 'node:worker_threads';
import { loadNodeTokenKey, nodeToken, spawnWorker, type AdjustableClock } from '@app/common';
import type { KubeApiServerConfig } from '@app/config';
import type { RunningKubeApiServer } from '../start-kube-apiserver';
import type { ThreadMessage, ThreadReady, ThreadRequest, ThreadStart } from './thread-protocol';

/** The api-server running in a worker thread: RunningKubeApiServer, its calls made asynchronous. */
export interface KubeApiServerThread extends Omit<
  RunningKubeApiServer,
  'compact' | 'closeWatches'
> {
  compact(): Promise<number>;
  closeWatches(): Promise<void>;
  /**
   * The thread's exit code once it ends: 0 after close, else it crashed (`nimbus up` then starts
   * it again, as the kubelet restarts a static kube-apiserver pod).
   */
  readonly exited: Promise<number>;
}

export interface KubeApiServerThreadDeps {
  /** The clock the thread follows (shared memory: `POST /admin/clock` moves both). */
  clock: AdjustableClock;
  /** pino level of the server's error log. */
  logLevel: string;
}

/**
 * Starts the built-in api-server in a worker thread of this process. `nimbus up` runs it so:
 * the api-server's handlers, SQLite writes and watch fan-out get the machine's second core
 * instead of sharing one event loop with the scheduler, controllers and kubelets, which talk to
 * it over HTTPS on loopback either way.
 */
export async function startKubeApiServerThread(
  config: KubeApiServerConfig,
  deps: KubeApiServerThreadDeps,
): Promise<KubeApiServerThread> {
  const start: ThreadStart = { config, clockBuffer: deps.clock.buffer, logLevel: deps.logLevel };
  const worker = spawn(start);
  const calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  let failure: Error | undefined;
  let ended = false;
  const exited = new Promise<number>((resolveExit) => {
    worker.once('exit', (code) => {
      ended = true;
      failure ??= new Error(`the kube-apiserver thread exited with code ${code}`);
      calls.forEach((c) => c.reject(failure!));
      calls.clear();
      resolveExit(code);
    });
  });
  worker.on('error', (error) => {
    failure = error;
  });
  const ready = await new Promise<ThreadReady>((resolveReady, rejectReady) => {
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'ready') {
        resolveReady(message);
        return;
      }
      const call = calls.get(message.id);
      calls.delete(message.id);
      if (message.error !== undefined) {
        call?.reject(new Error(message.error));
      } else {
        call?.resolve(message.value);
      }
    });
    void exited.then(() =>
      rejectReady(failure ?? new Error('the kube-apiserver thread ended before it served')),
    );
  });
  const request = <T>(call: ThreadRequest['call']) =>
    new Promise<T>((resolveCall, rejectCall) => {
      if (ended) {
        // Nobody would answer: the thread ended (closed, or crashed).
        rejectCall(failure ?? new Error('the kube-apiserver thread has ended'));
        return;
      }
      const id = ++nextId;
      calls.set(id, { resolve: resolveCall, reject: rejectCall });
      worker.postMessage({ id, call } satisfies ThreadRequest);
    });
  const nodeTokenKey = loadNodeTokenKey(ready.nodeTokenKeyFile);
  let closed: Promise<void> | undefined;
  return {
    url: ready.url,
    port: ready.port,
    kubeconfigPath: ready.kubeconfigPath,
    adminToken: ready.adminToken,
    caCert: ready.caCert,
    nodeTokenKeyFile: ready.nodeTokenKeyFile,
    tokenFor: (user) => (user === 'admin' ? ready.adminToken : ready.tokens[user]),
    nodeToken: (nodeName) => nodeToken(nodeTokenKey, nodeName),
    compact: () => request<number>('compact'),
    closeWatches: () => request<void>('closeWatches'),
    exited,
    close: () =>
      (closed ??= request<void>('close').then(
        async () => {
          await exited;
        },
        async () => {
          await worker.terminate();
        },
      )),
  };
}

/** The worker runs api-server-thread-main next to this file (compiled, or from sources under ts-node). */
function spawn(start: ThreadStart): Worker {
  return spawnWorker(__dirname, 'api-server-thread-main', {
    workerData: start,
    resourceLimits: {
      // As much heap as this thread may use (10,000 pods' objects and watch history live there).
      maxOldGenerationSizeMb: getHeapStatistics().heap_size_limit / 2 ** 20,
      // V8's default young generation, not the 64 MB semi-spaces `npm start` gives the main thread
      // (every isolate would inherit them): larger ones did not speed this thread up, and they cost
      // start-up RSS (docs/benchmarks.md, `npm start` section).
      maxYoungGenerationSizeMb: 48,
    },
  });
}
