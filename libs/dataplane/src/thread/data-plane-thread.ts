import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '@app/common';
import type { HealthChange, VirtualServerStatus } from '../types';
import type { ThreadCall, ThreadMessage, ThreadRequest } from './protocol';

/** What the thread tells one client besides replies. */
export interface ThreadClient {
  healthChanged(change: HealthChange): void;
  statusChanged(id: string, status: VirtualServerStatus): void;
  /** The thread ended unexpectedly: its listeners are gone; open again on a new one. */
  threadLost(error: Error): void;
}

/**
 * The process's data plane worker thread, shared by every ThreadedDataPlane in it (the cloud API
 * and kube-proxy in `nimbus up`): started by the first client, ended when the last one closes.
 */
export class DataPlaneThread {
  private static shared?: DataPlaneThread;

  private readonly worker: Worker;
  private readonly clients = new Map<number, ThreadClient>();
  private readonly calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextSeq = 0;
  private ended = false;
  private stopping = false;

  /** The running thread, or a new one. */
  static acquire(): DataPlaneThread {
    const current = DataPlaneThread.shared;
    if (current && !current.ended && !current.stopping) {
      return current;
    }
    return (DataPlaneThread.shared = new DataPlaneThread());
  }

  /** The process's thread while one runs (introspection, tests). */
  static running(): DataPlaneThread | undefined {
    return DataPlaneThread.shared;
  }

  /** Ends the thread at once, as a crash would: its clients start another one (tests). */
  async kill(): Promise<void> {
    await this.worker.terminate();
  }

  private constructor() {
    this.worker = spawnWorker(__dirname, 'data-plane-thread-main');
    this.worker.on('message', (message: ThreadMessage) => this.receive(message));
    this.worker.on('error', (error) => this.end(error));
    this.worker.once('exit', (code) =>
      this.end(new Error(`the data plane thread exited with code ${code}`)),
    );
  }

  /** Registers a client; `call({ op: 'open' })` creates its data plane in the thread. */
  attach(id: number, client: ThreadClient): void {
    this.clients.set(id, client);
  }

  /** Forgets a closed client; the last one ends the thread. */
  async detach(id: number): Promise<void> {
    this.clients.delete(id);
    if (this.clients.size === 0 && !this.ended) {
      this.stopping = true;
      if (DataPlaneThread.shared === this) {
        DataPlaneThread.shared = undefined;
      }
      await this.worker.terminate();
    }
  }

  call<T>(call: ThreadCall): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.ended || this.stopping) {
        reject(new Error('the data plane thread has ended'));
        return;
      }
      const seq = ++this.nextSeq;
      this.calls.set(seq, { resolve: resolve, reject });
      this.worker.postMessage({ seq, call } satisfies ThreadRequest);
    });
  }

  private receive(message: ThreadMessage): void {
    switch (message.type) {
      case 'reply': {
        const call = this.calls.get(message.seq);
        this.calls.delete(message.seq);
        if (message.error !== undefined) {
          call?.reject(new Error(message.error));
        } else {
          call?.resolve(message.value);
        }
        return;
      }
      case 'health':
        this.clients.get(message.client)?.healthChanged(message.change);
        return;
      case 'status':
        this.clients.get(message.client)?.statusChanged(message.id, message.status);
        return;
    }
  }

  private end(error: Error): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    if (DataPlaneThread.shared === this) {
      DataPlaneThread.shared = undefined;
    }
    this.calls.forEach((c) => c.reject(error));
    this.calls.clear();
    if (!this.stopping) {
      const clients = [...this.clients.values()];
      this.clients.clear();
      clients.forEach((c) => c.threadLost(error));
    }
  }
}
