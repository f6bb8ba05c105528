import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Which client addresses may connect: CIDRs of both families. An IPv4 client seen on a
 * dual-stack socket as `::ffff:a.b.c.d` is matched as the IPv4 address it is.
 */
export class SourceRanges {
  private readonly ranges: [Address, number][];

  /** Throws RangeError naming the first range that is not a CIDR. */
  constructor(cidrs: readonly string[] = []) {
    this.ranges = cidrs.map((cidr) => {
      try {
        return ipaddr.parseCIDR(cidr);
      } catch {
        throw new RangeError(`source range "${cidr}" is not a CIDR`);
      }
    });
  }

  /** True when no ranges are set (everyone may connect). */
  get open(): boolean {
    return this.ranges.length === 0;
  }

  allows(clientAddress: string): boolean {
    if (this.ranges.length === 0) {
      return true;
    }
    const address = parseClient(clientAddress);
    return address !== undefined && this.contains(address);
  }

  /** Whether a parsed address falls in a range (false when there are none). */
  contains(address: ClientAddress): boolean {
    return this.ranges.some(
      ([range, prefix]) => range.kind() === address.kind() && address.match(range, prefix),
    );
  }
}

export type ClientAddress = Address;

/** A client's address as seen on a socket, IPv4-mapped IPv6 as IPv4; undefined when not an IP. */
export function parseClient(text: string): Address | undefined {
  if (!ipaddr.isValid(text)) {
    return undefined;
  }
  const address = ipaddr.parse(text);
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/** The client address without an IPv4-mapped prefix (`::ffff:127.0.0.1` → `127.0.0.1`). */
export function plainAddress(text: string): string {
  return text.startsWith('::ffff:') && text.includes('.') ? text.slice(7) : text;
}
