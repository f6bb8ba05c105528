import { parentPort } from 'node:worker_threads';
import { AdjustableClock } from '@app/common';
import { DataPlane } from '../data-plane';
import type { ThreadCall, ThreadMessage, ThreadRequest } from './protocol';

// The body of the data plane's worker thread (DataPlaneThread): one DataPlane per client, driven
// by messages. Forwarding, health checks and their timers run here, away from the control
// plane's event loop and heap, as a kernel's forwarding never waits for an API call.

/** How often statuses are compared with what was last sent (listener retries, check details). */
const STATUS_POLL_MS = 500;

interface Client {
  plane: DataPlane;
  /** Virtual server id → the status last sent, as JSON. */
  sent: Map<string, string>;
}

const port = parentPort!;
const clients = new Map<number, Client>();

const post = (message: ThreadMessage) => port.postMessage(message);

function sendStatus(clientId: number, client: Client, id: string): void {
  const status = client.plane.status(id);
  if (!status) {
    return;
  }
  const json = JSON.stringify(status);
  if (client.sent.get(id) !== json) {
    client.sent.set(id, json);
    post({ type: 'status', client: clientId, id, status });
  }
}

async function run(call: ThreadCall): Promise<unknown> {
  if (call.op === 'open') {
    const plane: DataPlane = new DataPlane({
      clock: call.clockBuffer ? AdjustableClock.following(call.clockBuffer) : undefined,
      sweepIntervalMs: call.sweepIntervalMs,
      onHealthChange: (change) => {
        post({ type: 'health', client: call.client, change });
        // After the pool has recorded the change: the status shows it.
        queueMicrotask(() => {
          const client = clients.get(call.client);
          if (client) {
            sendStatus(call.client, client, change.virtualServer);
          }
        });
      },
    });
    clients.set(call.client, { plane, sent: new Map() });
    return undefined;
  }
  const client = clients.get(call.client);
  if (!client) {
    throw new Error(`data plane client ${call.client} is not open`);
  }
  switch (call.op) {
    case 'apply': {
      const status = await client.plane.apply(call.id, call.spec);
      client.sent.set(call.id, JSON.stringify(status));
      return status;
    }
    case 'remove':
      client.sent.delete(call.id);
      return await client.plane.remove(call.id);
    case 'snapshot':
      return await client.plane.snapshot();
    case 'close':
      clients.delete(call.client);
      return await client.plane.close();
  }
}

port.on('message', (request: ThreadRequest) => {
  run(request.call).then(
    (value) => post({ type: 'reply', seq: request.seq, value }),
    (error: Error) => post({ type: 'reply', seq: request.seq, error: error.message }),
  );
});

setInterval(() => {
  for (const [clientId, client] of clients) {
    for (const id of client.plane.ids()) {
      sendStatus(clientId, client, id);
    }
  }
}, STATUS_POLL_MS).unref();
