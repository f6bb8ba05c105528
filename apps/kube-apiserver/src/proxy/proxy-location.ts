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

/**
 * Go's IP.IsGlobalUnicast for IPv4 (what upstream requires of a proxy target): not loopback,
 * unspecified, link-local, multicast or broadcast. IPv6 pods have no host address here.
 */
export function isGlobalUnicast(ip: string): boolean {
  if (!isIPv4(ip)) {
    return false;
  }
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return !(
    a === 0 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    a >= 224 // multicast, reserved and 255.255.255.255
  );
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
  if (!isGlobalUnicast(ip)) {
    throw badRequest('address not allowed');
  }
  return { scheme, ip, port: chosen || (scheme === 'https' ? '443' : '80') };
}

interface ServiceLike {
  spec?: { ports?: { name?: string; port?: number }[] };
}
interface EndpointsLike {
  subsets?: {
    addresses?: { ip?: string; targetRef?: { kind?: string; name?: string; namespace?: string } }[];
    ports?: { name?: string; port?: number }[];
  }[];
}

/** Reads a pod of the Service's namespace (for upstream's isValidAddress). */
export type PodLookup = (name: string) => KubeObject | undefined;

/**
 * upstream's isValidAddress: an endpoint address is proxied to only when it names a pod of the
 * Service's namespace that has that IP — an Endpoints object anyone may write cannot point the
 * api-server at an address of its own choosing.
 */
function isValidAddress(
  address: { ip?: string; targetRef?: { kind?: string; name?: string; namespace?: string } },
  namespace: string,
  pod: PodLookup,
): boolean {
  const ref = address.targetRef;
  if (
    !address.ip ||
    ref?.kind !== 'Pod' ||
    !ref.name ||
    (ref.namespace ?? namespace) !== namespace
  ) {
    return false;
  }
  const status = (
    pod(ref.name) as { status?: { podIP?: string; podIPs?: { ip?: string }[] } } | undefined
  )?.status;
  const ips = [status?.podIP, ...(status?.podIPs ?? []).map((p) => p.ip)];
  return ips.includes(address.ip) && isGlobalUnicast(address.ip);
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
  pod: PodLookup,
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
  if (subsets.length === 0) {
    throw serviceUnavailable(`no endpoints available for service "${serviceName}"`);
  }
  const namespace = service.metadata.namespace ?? '';
  const seed = Math.floor(random() * subsets.length);
  for (let i = 0; i < subsets.length; i++) {
    const subset = subsets[(seed + i) % subsets.length];
    const addresses = subset.addresses ?? [];
    const endpointPort = subset.ports?.find((p) => (p.name ?? '') === portName);
    if (addresses.length === 0 || !endpointPort?.port) {
      continue;
    }
    const first = Math.floor(random() * addresses.length);
    for (let tried = 0; tried < addresses.length; tried++) {
      const address = addresses[(first + tried) % addresses.length];
      if (isValidAddress(address, namespace, pod)) {
        return { scheme, ip: address.ip!, port: String(endpointPort.port) };
      }
    }
  }
  throw serviceUnavailable(`no endpoints available for service "${id}"`);
}
