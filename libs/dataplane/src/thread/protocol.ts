/**
 * Messages between ThreadedDataPlane (any thread of the process) and the data plane's worker
 * thread (data-plane-thread-main). Each owner is a numbered client with its own virtual servers
 * and clock; all clients' listeners live in the one thread, so a cloud LB dialling a NodePort
 * that kube-proxy serves in the same process is still handed over in process.
 */
import type { HealthChange, VirtualServerSpec, VirtualServerStatus } from '../types';

export type ThreadCall =
  | {
      op: 'open';
      client: number;
      /** An AdjustableClock's buffer to follow; absent: the wall clock. */
      clockBuffer?: SharedArrayBuffer;
      sweepIntervalMs?: number;
    }
  | { op: 'apply'; client: number; id: string; spec: VirtualServerSpec }
  | { op: 'remove'; client: number; id: string }
  | { op: 'snapshot'; client: number }
  | { op: 'close'; client: number };

export interface ThreadRequest {
  seq: number;
  call: ThreadCall;
}

export type ThreadMessage =
  | { type: 'reply'; seq: number; value?: unknown; error?: string }
  | { type: 'health'; client: number; change: HealthChange }
  /** A virtual server's status changed (health, a listener's retry, a check's detail). */
  | { type: 'status'; client: number; id: string; status: VirtualServerStatus };
