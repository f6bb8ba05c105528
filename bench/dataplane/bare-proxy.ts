/**
 * The floor of a user-space hop: the smallest correct Node TCP proxy (accept, dial, `pipe` both
 * ways, TCP_NODELAY), with none of the data plane's work (no scheduler, health, affinity, source
 * ranges or counters). `hops` chains that many in this one process (2 = the shape of the
 * LB → kube-proxy path, whose two hops share `nimbus up`'s event loop).
 * Usage: bare-proxy.ts <address> <target address> <target port> [hops]. Prints `ready <port>`.
 */
import { connect, createServer, type AddressInfo, type Server } from 'node:net';

const [address = '127.0.0.1', targetAddress = '127.0.0.1', targetPort = '0', hops = '1'] =
  process.argv.slice(2);

function proxy(toAddress: string, toPort: number): Promise<Server> {
  const server = createServer({ noDelay: true, pauseOnConnect: true }, (client) => {
    const upstream = connect({ host: toAddress, port: toPort, noDelay: true }, () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(0, address, () => resolve(server)));
}

async function main(): Promise<void> {
  let [to, port] = [targetAddress, Number(targetPort)];
  for (let i = 0; i < Number(hops); i++) {
    port = ((await proxy(to, port)).address() as AddressInfo).port;
    to = address; // the next hop dials this one
  }
  process.stdout.write(`ready ${port}\n`);
}

void main();
process.on('SIGTERM', () => process.exit(0));
