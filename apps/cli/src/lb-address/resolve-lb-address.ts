import { isIP } from 'node:net';
import type { DataPlanePortDto, LoadBalancerDto } from '@app/cloud-contracts';
import { hostPort } from '@app/dataplane';

/** What `nimbus lb-address` needs of a LoadBalancer Service. */
export interface ServiceView {
  type?: string;
  /** `status.loadBalancer.ingress[].ip`. */
  ingressIps: string[];
  ports: { port: number; protocol: string }[];
}

export interface LbAddressDeps {
  getLoadBalancer(id: string): Promise<LoadBalancerDto>;
  listLoadBalancers(): AsyncIterable<LoadBalancerDto>;
  /** Reads a Service (undefined: not found). Absent: Service targets are refused. */
  getService?(namespace: string, name: string): Promise<ServiceView | undefined>;
  /** For `wait`; default a timer. */
  sleep?(ms: number): Promise<void>;
  now?(): number;
}

export interface LbAddressOptions {
  namespace?: string;
  /** The listener (Service) port; default the first of the protocol. */
  port?: number;
  protocol?: 'TCP' | 'UDP';
  ipFamily?: 'IPv4' | 'IPv6';
  /** How long to wait for an LB that is not serving yet (ms). */
  waitMs?: number;
}

export interface LbAddress {
  /** `host:port`, what to give curl. */
  text: string;
  address: string;
  port: number;
  loadBalancer: LoadBalancerDto;
  /** Said on stderr: it answers, but will refuse connections. */
  warning?: string;
}

/** A problem the user can act on (printed without a stack). */
export class LbAddressError extends Error {}

/** Reasons to keep waiting: the cloud is still getting there. */
class NotYet extends LbAddressError {}

/**
 * Where a load balancer answers on this machine: `lb-…` (a cloud load balancer), an LB public IP,
 * or a Service (`name` or `namespace/name`, through its `status.loadBalancer.ingress` IP). The
 * cloud API's `dataPlane` has the host address and port (which may be mapped).
 */
export async function resolveLbAddress(
  target: string,
  options: LbAddressOptions,
  deps: LbAddressDeps,
): Promise<LbAddress> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const now = deps.now ?? (() => performance.now());
  const deadline = now() + (options.waitMs ?? 0);
  for (;;) {
    try {
      return await resolveOnce(target, options, deps);
    } catch (error) {
      if (!(error instanceof NotYet) || now() >= deadline) {
        throw error;
      }
      await sleep(Math.min(500, Math.max(0, deadline - now())));
    }
  }
}

async function resolveOnce(
  target: string,
  options: LbAddressOptions,
  deps: LbAddressDeps,
): Promise<LbAddress> {
  let lb: LoadBalancerDto;
  let family = options.ipFamily;
  let port = options.port;
  let protocol = options.protocol;
  if (/^lb-[0-9a-z]+$/.test(target)) {
    lb = await deps.getLoadBalancer(target);
  } else if (isIP(target)) {
    lb = await loadBalancerWithIp(target, deps);
    family ??= isIP(target) === 6 ? 'IPv6' : 'IPv4';
  } else {
    const service = await serviceOf(target, options.namespace ?? 'default', deps);
    const ip = pickIngress(service.view, family, service.key);
    family ??= isIP(ip) === 6 ? 'IPv6' : 'IPv4';
    const servicePort = pickServicePort(service.view, port, protocol, service.key);
    port = servicePort.port;
    protocol = servicePort.protocol as 'TCP' | 'UDP';
    lb = await loadBalancerWithIp(ip, deps);
  }
  const entry = pickPort(lb, port, protocol ?? 'TCP', family);
  const text = hostPort(entry.address!, entry.hostPort!);
  const warning =
    lb.dataPlane.state === 'no_healthy_backends' ? `warning: ${lb.dataPlane.message}` : undefined;
  return { text, address: entry.address!, port: entry.hostPort!, loadBalancer: lb, warning };
}

async function serviceOf(
  target: string,
  defaultNamespace: string,
  deps: LbAddressDeps,
): Promise<{ view: ServiceView; key: string }> {
  const [namespace, name] = target.includes('/')
    ? target.split('/', 2)
    : [defaultNamespace, target];
  const key = `${namespace}/${name}`;
  if (!deps.getService) {
    throw new LbAddressError(
      `${target}: not an lb-… id or IP, and no kubeconfig to look up a Service`,
    );
  }
  const view = await deps.getService(namespace, name);
  if (!view) {
    throw new LbAddressError(`service ${key} not found`);
  }
  if (view.type !== 'LoadBalancer') {
    throw new LbAddressError(
      `service ${key} is of type ${view.type ?? 'ClusterIP'}, not LoadBalancer`,
    );
  }
  return { view, key };
}

function pickIngress(view: ServiceView, family: string | undefined, key: string): string {
  if (view.ingressIps.length === 0) {
    throw new NotYet(
      `service ${key} has no load-balancer ingress yet (EXTERNAL-IP <pending>); is the cloud-controller-manager running?`,
    );
  }
  const wanted = family === 'IPv6' ? 6 : family === 'IPv4' ? 4 : 0;
  const ip = view.ingressIps.find((i) => wanted === 0 || isIP(i) === wanted);
  if (!ip) {
    throw new LbAddressError(
      `service ${key} has no ${family} ingress IP (${view.ingressIps.join(', ')})`,
    );
  }
  return ip;
}

function pickServicePort(
  view: ServiceView,
  port: number | undefined,
  protocol: string | undefined,
  key: string,
): { port: number; protocol: string } {
  const candidates = view.ports.filter(
    (p) =>
      (port === undefined || p.port === port) &&
      (protocol === undefined || (p.protocol ?? 'TCP') === protocol),
  );
  if (candidates.length === 0) {
    const known = view.ports.map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
    throw new LbAddressError(
      `service ${key} has no port ${port ?? ''}${protocol ? `/${protocol}` : ''} (it has ${known})`,
    );
  }
  return { port: candidates[0].port, protocol: candidates[0].protocol ?? 'TCP' };
}

async function loadBalancerWithIp(ip: string, deps: LbAddressDeps): Promise<LoadBalancerDto> {
  const wanted = canonical(ip);
  for await (const lb of deps.listLoadBalancers()) {
    if (lb.publicIps.some((p) => canonical(p.ip) === wanted)) {
      return lb;
    }
  }
  throw new NotYet(`no load balancer of this project holds ${ip}`);
}

function pickPort(
  lb: LoadBalancerDto,
  port: number | undefined,
  protocol: string,
  family: string | undefined,
): DataPlanePortDto {
  const dp = lb.dataPlane;
  if (dp.state === 'pending' || dp.state === 'stopped') {
    const error = dp.state === 'pending' ? NotYet : LbAddressError;
    throw new error(`load balancer ${lb.id} is ${lb.state}: ${dp.message ?? 'not serving'}`);
  }
  const ofListener = dp.ports.filter(
    (p) => p.protocol === protocol && (port === undefined || p.port === port),
  );
  if (ofListener.length === 0) {
    const known = lb.listeners.map((l) => `${l.port}/${l.protocol}`).join(', ');
    throw new LbAddressError(
      `load balancer ${lb.id} has no ${protocol} listener${port ? ` on ${port}` : ''} (it has ${known})`,
    );
  }
  // With --lb-bind one socket serves every family: fall back to what there is.
  const entry =
    ofListener.find((p) => family === undefined || p.ipFamily === family) ?? ofListener[0];
  if (entry.state === 'failed') {
    throw new LbAddressError(
      `load balancer ${lb.id} ${entry.protocol}/${entry.port}: ${entry.message ?? 'failed'}`,
    );
  }
  if (entry.state !== 'listening' || !entry.address || !entry.hostPort) {
    throw new NotYet(`load balancer ${lb.id} ${entry.protocol}/${entry.port} is still opening`);
  }
  return entry;
}

function canonical(ip: string): string {
  return ip.toLowerCase();
}
