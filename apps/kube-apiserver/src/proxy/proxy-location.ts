import { isIPv4 } from 'node:net';
import { badRequest, notFound, serviceUnavailable } from '../errors/kube-error';
import type { KubeObject } from '../object/types';

/** Where a proxied request goes: the cloud address of a pod and a port (numeric or not). */
export interface ProxyLocation {
  scheme: 'http' | 'https';
  ip: string;
  port: string;
}

/**
 * `[scheme:]name[:port]` (apimachinery util/net SplitSchemeNamePort): the name segment of
 * `pods/<id>/proxy` and `services/<id>/proxy`. Undefined when it does not parse.
 */
export function splitSchemeNamePort(
  id: string,
): { scheme: 'http' | 'https'; name: string; port: string } | undefined {
  const parts = id.split(':');
  const [scheme, name, port] =
    parts.length === 1
      ? ['', parts[0], '']
      : parts.length === 2
        ? ['', parts[0], parts[1]]
        : parts.length === 3
          ? [parts[0], parts[1], parts[2]]
          : ['', '', ''];
  if (!name || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) {
    return undefined;
  }
  return { scheme: scheme === 'https' ? 'https' : 'http', name, port };
}

interface PodLike {
  spec?: { containers?: { ports?: { containerPort?: number }[] }[] };
  status?: { podIP?: string };
}

/**
 * The pod's location (pkg/registry/core/pod/strategy.go ResourceLocation): the port given, else
 * the first declared container port; a pod without a routable IP is "address not allowed".
 */
export function podLocation(
  pod: KubeObject,
  scheme: 'http' | 'https',
  port: string,
): ProxyLocation {
  const { spec, status } = pod as PodLike;
  const chosen =
    port || String(spec?.containers?.find((c) => c.ports?.length)?.ports?.[0]?.containerPort ?? '');
  const ip = status?.podIP ?? '';
  if (!isIPv4(ip) || ip.startsWith('127.') || ip === '0.0.0.0') {
    throw badRequest('address not allowed');
  }
  return { scheme, ip, port: chosen || (scheme === 'https' ? '443' : '80') };
}

interface ServiceLike {
  spec?: { ports?: { name?: string; port?: number }[] };
}
interface EndpointsLike {
  subsets?: { addresses?: { ip?: string }[]; ports?: { name?: string; port?: number }[] }[];
}

/**
 * A ready endpoint of the Service (pkg/registry/core/service/storage ResourceLocation): a port
 * number is first mapped to its Service port's name; a subset and an address are picked at random.
 */
export function serviceLocation(
  id: string,
  serviceName: string,
  service: KubeObject,
  endpoints: KubeObject | undefined,
  scheme: 'http' | 'https',
  port: string,
  random: () => number = Math.random,
): ProxyLocation {
  let portName = port;
  if (/^\d+$/.test(port)) {
    const match = (service as ServiceLike).spec?.ports?.find((p) => p.port === Number(port));
    if (!match) {
      throw serviceUnavailable(`no service port ${port} found for service "${serviceName}"`);
    }
    portName = match.name ?? '';
  }
  if (!endpoints) {
    throw notFound({ group: '', resource: 'endpoints' }, serviceName);
  }
  const subsets = (endpoints as EndpointsLike).subsets ?? [];
  const seed = Math.floor(random() * subsets.length);
  for (let i = 0; i < subsets.length; i++) {
    const subset = subsets[(seed + i) % subsets.length];
    const addresses = subset.addresses ?? [];
    const endpointPort = subset.ports?.find((p) => (p.name ?? '') === portName);
    if (addresses.length === 0 || !endpointPort?.port) {
      continue;
    }
    const address = addresses[Math.floor(random() * addresses.length)];
    if (address.ip) {
      return { scheme, ip: address.ip, port: String(endpointPort.port) };
    }
  }
  throw serviceUnavailable(`no endpoints available for service "${id}"`);
}
