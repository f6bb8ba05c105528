import ipaddr from 'ipaddr.js';

/**
 * The CNI host-local IPAM of one node: addresses of the node's pod CIDR from `.2` up (`.1` is
 * the bridge gateway, as kindnet/host-local configure it), handed out after the last one
 * reserved and wrapping around, never two live pods on one address.
 */
export class PodIpAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<number>();
  private last: number;

  constructor(readonly cidr: string) {
    const [address, prefix] = ipaddr.parseCIDR(cidr);
    if (address.kind() !== 'ipv4') {
      throw new Error(`pod CIDR ${cidr}: only IPv4 is simulated`);
    }
    const bytes = ipaddr.IPv4.networkAddressFromCIDR(cidr).toByteArray();
    this.base = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    this.size = 2 ** (32 - prefix);
    this.last = 1;
  }

  /** The next free address, or undefined when the range is full. */
  allocate(): string | undefined {
    // Offsets 2 … size-2: not the network, the gateway (.1) or the broadcast address.
    const first = 2;
    const lastUsable = this.size - 2;
    const count = lastUsable - first + 1;
    for (let i = 1; i <= count; i++) {
      const offset = first + ((this.last - first + i + count) % count);
      if (!this.used.has(offset)) {
        this.used.add(offset);
        this.last = offset;
        return this.addressAt(offset);
      }
    }
    return undefined;
  }

  /** Marks an address in use (pods found running when the kubelet starts). */
  reserve(ip: string): boolean {
    const offset = this.offsetOf(ip);
    if (offset === undefined || this.used.has(offset)) {
      return false;
    }
    this.used.add(offset);
    return true;
  }

  release(ip: string): void {
    const offset = this.offsetOf(ip);
    if (offset !== undefined) {
      this.used.delete(offset);
    }
  }

  get inUse(): number {
    return this.used.size;
  }

  private addressAt(offset: number): string {
    const v = (this.base + offset) >>> 0;
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }

  private offsetOf(ip: string): number | undefined {
    if (!ipaddr.IPv4.isValid(ip)) {
      return undefined;
    }
    const b = ipaddr.IPv4.parse(ip).toByteArray();
    const v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    const offset = v - this.base;
    return offset >= 2 && offset <= this.size - 2 ? offset : undefined;
  }
}
