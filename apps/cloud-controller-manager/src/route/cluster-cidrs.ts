import ipaddr from 'ipaddr.js';
import { ConfigError } from '@app/config';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed CIDR (Go's *net.IPNet): the network address and prefix length. */
export interface Cidr {
  readonly text: string;
  readonly network: Address;
  readonly prefix: number;
}

/**
 * `--cluster-cidr` is unusable for the route controller. Upstream's `startRouteController`
 * returns this as an error and the process exits (`klog.Fatalf`): it must fail to start.
 */
export class InvalidClusterCidrError extends ConfigError {
  override readonly name = 'InvalidClusterCidrError';
}

/** Go's net.ParseCIDR (the sloppy variant also accepts leading zeros, which ipaddr.js does). */
export function parseCidr(text: string): Cidr | undefined {
  try {
    const [address, prefix] = ipaddr.parseCIDR(text);
    if (!/\/\d+$/.test(text)) {
      return undefined;
    }
    const network =
      address.kind() === 'ipv4'
        ? ipaddr.IPv4.networkAddressFromCIDR(text)
        : ipaddr.IPv6.networkAddressFromCIDR(text);
    return { text, network, prefix };
  } catch {
    return undefined;
  }
}

/**
 * app/core.go `processCIDRs` + the checks of `startRouteController`: a comma-separated list of 1–2
 * CIDRs, two only when one is IPv4 and the other IPv6. An empty flag fails too (upstream parses
 * `[""]`), so a cloud with routes needs `--cluster-cidr` or `--configure-cloud-routes=false`.
 */
export function parseClusterCidrs(flag: string): Cidr[] {
  const cidrs = flag
    .trim()
    .split(',')
    .map((text) => {
      const cidr = parseCidr(text);
      if (!cidr) {
        throw new InvalidClusterCidrError(
          `failed to parse cidr value:"${text}" with error:invalid CIDR address: ${text}`,
        );
      }
      return cidr;
    });
  const families = new Set(cidrs.map((c) => c.network.kind()));
  if (cidrs.length > 1 && families.size < 2) {
    throw new InvalidClusterCidrError(
      `len of ClusterCIDRs==${cidrs.length} and they are not configured as dual stack (at least one from each IPFamily`,
    );
  }
  if (cidrs.length > 2) {
    throw new InvalidClusterCidrError(
      `length of clusterCIDRs is:${cidrs.length} more than max allowed of 2`,
    );
  }
  return cidrs;
}

function contains(cidr: Cidr, address: Address): boolean {
  return address.kind() === cidr.network.kind() && address.match(cidr.network, cidr.prefix);
}

/** The last address of a CIDR (all host bits set). */
function lastAddress(cidr: Cidr): Address {
  return cidr.network.kind() === 'ipv4'
    ? ipaddr.IPv4.broadcastAddressFromCIDR(`${cidr.network.toString()}/${cidr.prefix}`)
    : lastIPv6(cidr);
}

function lastIPv6(cidr: Cidr): Address {
  const bytes = cidr.network.toByteArray();
  for (let bit = cidr.prefix; bit < 128; bit++) {
    bytes[bit >> 3] |= 0x80 >> (bit & 7);
  }
  return ipaddr.fromByteArray(bytes);
}

/**
 * `isResponsibleForRoute`: the route's first or last address lies in a cluster CIDR. Routes
 * outside (or with an unparsable destination) are never touched.
 */
export function isResponsibleForRoute(clusterCidrs: readonly Cidr[], destination: string): boolean {
  const route = parseCidr(destination);
  if (!route) {
    return false;
  }
  const first = route.network;
  const last = lastAddress(route);
  return clusterCidrs.some((c) => contains(c, first) || contains(c, last));
}

/** The same CIDR written either way ("10.244.1.0/24" vs "10.244.01.0/24", IPv6 spellings)? */
export function sameCidr(a: string, b: string): boolean {
  if (a === b) {
    return true;
  }
  const x = parseCidr(a);
  const y = parseCidr(b);
  return (
    x !== undefined &&
    y !== undefined &&
    x.prefix === y.prefix &&
    x.network.kind() === y.network.kind() &&
    x.network.toNormalizedString() === y.network.toNormalizedString()
  );
}
