import ipaddr from 'ipaddr.js';

/** upstream cidrset.ErrCIDRRangeNoCIDRsRemaining. */
export const NO_CIDRS_REMAINING =
  'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';

/** upstream clusterSubnetMaxDiff: at most 2^16 node CIDRs per cluster CIDR. */
const CLUSTER_SUBNET_MAX_DIFF = 16;

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface ParsedCidr {
  family: 'IPv4' | 'IPv6';
  /** Network address as an integer. */
  base: bigint;
  prefix: number;
}

const bits = (family: 'IPv4' | 'IPv6') => (family === 'IPv4' ? 32 : 128);

export function parseCidr(text: string): ParsedCidr {
  const [address, prefix] = ipaddr.parseCIDR(text.trim());
  const family = address.kind() === 'ipv4' ? 'IPv4' : 'IPv6';
  const width = bits(family);
  const value = toBigInt(address);
  const hostBits = BigInt(width - prefix);
  return { family, base: (value >> hostBits) << hostBits, prefix };
}

export function formatCidr(cidr: ParsedCidr): string {
  return `${fromBigInt(cidr.base, cidr.family)}/${cidr.prefix}`;
}

function toBigInt(address: Address): bigint {
  return address.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

function fromBigInt(value: bigint, family: 'IPv4' | 'IPv6'): string {
  const bytes: number[] = [];
  let v = value;
  for (let i = 0; i < bits(family) / 8; i++) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * upstream pkg/controller/nodeipam/ipam/cidrset: the node-sized blocks of a cluster CIDR, handed
 * out round-robin from the one after the last allocated (so a released block is reused only after
 * the range wraps), occupied by existing nodes at start.
 */
export class CidrSet {
  readonly cluster: ParsedCidr;
  readonly nodeMaskSize: number;
  private readonly maxCidrs: number;
  private readonly used: Uint8Array;
  private allocatedCount = 0;
  private nextCandidate = 0;

  constructor(clusterCidr: string, nodeMaskSize: number) {
    this.cluster = parseCidr(clusterCidr);
    const diff = nodeMaskSize - this.cluster.prefix;
    if (nodeMaskSize > bits(this.cluster.family) || diff < 0) {
      throw new Error(
        `node CIDR mask size ${nodeMaskSize} does not fit cluster CIDR ${clusterCidr}`,
      );
    }
    if (diff > CLUSTER_SUBNET_MAX_DIFF) {
      throw new Error(
        'CIDRSet: subNetMaskSize is too large compared to the cluster CIDR (at most 16 bits more)',
      );
    }
    this.nodeMaskSize = nodeMaskSize;
    this.maxCidrs = 2 ** diff;
    this.used = new Uint8Array(this.maxCidrs);
  }

  get allocated(): number {
    return this.allocatedCount;
  }

  /** The next free block, or an error when the range is exhausted. */
  allocateNext(): string {
    if (this.allocatedCount === this.maxCidrs) {
      throw new Error(NO_CIDRS_REMAINING);
    }
    for (let i = 0; i < this.maxCidrs; i++) {
      const candidate = (this.nextCandidate + i) % this.maxCidrs;
      if (!this.used[candidate]) {
        this.used[candidate] = 1;
        this.allocatedCount++;
        this.nextCandidate = (candidate + 1) % this.maxCidrs;
        return this.blockText(candidate);
      }
    }
    throw new Error(NO_CIDRS_REMAINING);
  }

  /** Marks every block overlapping `cidr` used (existing node CIDRs, the service range). */
  occupy(cidr: string): void {
    const [begin, end] = this.blockRange(cidr);
    for (let i = begin; i <= end; i++) {
      if (!this.used[i]) {
        this.used[i] = 1;
        this.allocatedCount++;
      }
    }
  }

  /** Frees every block inside `cidr`. */
  release(cidr: string): void {
    const [begin, end] = this.blockRange(cidr);
    for (let i = begin; i <= end; i++) {
      if (this.used[i]) {
        this.used[i] = 0;
        this.allocatedCount--;
      }
    }
  }

  /** Whether `cidr` overlaps the cluster CIDR at all. */
  overlaps(cidr: string): boolean {
    const other = parseCidr(cidr);
    if (other.family !== this.cluster.family) {
      return false;
    }
    const prefix = Math.min(other.prefix, this.cluster.prefix);
    const shift = BigInt(bits(other.family) - prefix);
    return other.base >> shift === this.cluster.base >> shift;
  }

  private blockText(index: number): string {
    const hostBits = BigInt(bits(this.cluster.family) - this.nodeMaskSize);
    return formatCidr({
      family: this.cluster.family,
      base: this.cluster.base + (BigInt(index) << hostBits),
      prefix: this.nodeMaskSize,
    });
  }

  /** The first and last block index covered by `cidr` (clamped to the cluster range). */
  private blockRange(cidr: string): [number, number] {
    const c = parseCidr(cidr);
    if (c.family !== this.cluster.family || !this.overlaps(cidr)) {
      throw new Error(
        `cidr ${cidr} is out of the range of cluster cidr ${formatCidr(this.cluster)}`,
      );
    }
    const width = bits(c.family);
    const hostBits = BigInt(width - this.nodeMaskSize);
    const clusterEnd = this.cluster.base + (1n << BigInt(width - this.cluster.prefix)) - 1n;
    const first = c.base > this.cluster.base ? c.base : this.cluster.base;
    const cEnd = c.base + (1n << BigInt(width - c.prefix)) - 1n;
    const last = cEnd < clusterEnd ? cEnd : clusterEnd;
    return [
      Number((first - this.cluster.base) >> hostBits),
      Number((last - this.cluster.base) >> hostBits),
    ];
  }
}
