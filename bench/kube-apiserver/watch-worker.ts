import { parentPort, workerData } from 'node:worker_threads';
import { benchClient } from './http-client';

// Runs the watchers on their own event loop so parsing 50,000 events/s does not delay the writer.
interface WatchWorkerInput {
  url: string;
  ca: string;
  token: string;
  watchers: number;
  path: string;
}

const input = workerData as WatchWorkerInput;
const now = () => performance.timeOrigin + performance.now();

async function run(): Promise<void> {
  const client = benchClient(input.url, input.ca, input.token, input.watchers);
  const delays: number[] = [];
  const closers: (() => void)[] = [];
  for (let i = 0; i < input.watchers; i++) {
    closers.push(
      await client.watch(input.path, (line) => {
        const sent = /"sent":"([\d.]+)"/.exec(line)?.[1];
        if (sent) {
          delays.push(now() - Number(sent));
        }
      }),
    );
  }
  parentPort?.postMessage({ ready: true });
  parentPort?.on('message', (message: { stop?: boolean }) => {
    if (message.stop) {
      closers.forEach((c) => c());
      parentPort?.postMessage({ delays });
    }
  });
}

void run();
