import type { KubeApiServerConfig } from '@app/config';

/** What `startKubeApiServerThread` hands the worker. */
export interface ThreadStart {
  config: KubeApiServerConfig;
  /** The AdjustableClock buffer of the thread that started it. */
  clockBuffer: SharedArrayBuffer;
  /** pino level of the server's error log. */
  logLevel: string;
}

/** What the worker answers once it serves: the parts of RunningKubeApiServer that are data. */
export interface ThreadReady {
  type: 'ready';
  url: string;
  port: number;
  kubeconfigPath: string;
  adminToken: string;
  caCert: string;
  nodeTokenKeyFile: string;
  /** Tokens of the token file's component users, by user name. */
  tokens: Record<string, string>;
}

/** Requests to the worker, each answered by a `{ type: 'done', id, value?, error? }`. */
export interface ThreadRequest {
  id: number;
  call: 'compact' | 'closeWatches' | 'close';
}

export interface ThreadDone {
  type: 'done';
  id: number;
  value?: unknown;
  error?: string;
}

export type ThreadMessage = ThreadReady | ThreadDone;
