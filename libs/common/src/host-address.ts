import { readFileSync } from 'node:fs';

/**
 * Where a cloud address lives on this machine.
 *
 * The cloud's addresses (instance private IPs, load-balancer IPs, pod and Service IPs of the
 * built-in cluster) are not the host's, so the simulated data plane binds and dials a stand-in
 * on the loopback network instead. On Linux every address of 127.0.0.0/8 can be bound without
 * root, which gives a fixed 1:1 map that every Nimbus process computes alike, with no
 * configuration or coordination:
 *
 *   a.b.c.d  →  127.X.c.d   where X = b, or a when b is 0
 *
 *   instance  10.0.1.5      →  127.10.1.5
 *   LB        203.0.113.7   →  127.203.113.7
 *   pod       10.244.1.2    →  127.244.1.2
 *   Service   10.96.0.10    →  127.96.0.10
 *
 * Loopback addresses map to themselves. The map is one-to-one inside any block of /16 or
 * smaller; two pools collide only when they agree on X and the last two octets, which
 * `hostBlocksOverlap` lets a component refuse at start. IPv6 has a single loopback address, so
 * IPv6 cloud addresses have no host address here.
 */
export function hostAddressOf(cloudAddress: string): string | undefined {
  const octets = parseIpv4(cloudAddress);
  if (!octets) {
    return undefined;
  }
  const [a, b, c, d] = octets;
  if (a === 127) {
    return cloudAddress;
  }
  return `127.${b === 0 ? a : b}.${c}.${d}`;
}

/** The host block (`127.X.0.0/16` or smaller) that a cloud CIDR of /16 or smaller maps to. */
export function hostBlockOf(cidr: string): { base: string; prefix: number } | undefined {
  const [address, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  const host = hostAddressOf(address ?? '');
  if (!host || !Number.isInteger(prefix) || prefix < 16 || prefix > 32) {
    return undefined;
  }
  return { base: host, prefix };
}

/** Whether two cloud CIDRs map onto overlapping host addresses (a configuration to refuse). */
export function hostBlocksOverlap(first: string, second: string): boolean {
  const a = hostBlockOf(first);
  const b = hostBlockOf(second);
  if (!a || !b) {
    return false;
  }
  const prefix = Math.min(a.prefix, b.prefix);
  return maskedValue(a.base, prefix) === maskedValue(b.base, prefix);
}

function maskedValue(address: string, prefix: number): number {
  const octets = parseIpv4(address)!;
  const value = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return (value & mask) >>> 0;
}

function parseIpv4(text: string): [number, number, number, number] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p))) {
    return undefined;
  }
  const octets = parts.map(Number);
  if (octets.some((o) => o > 255) || octets[0] === 0) {
    return undefined;
  }
  return octets as [number, number, number, number];
}

/**
 * The host addresses that cloud addresses of `cidr` map to, as CIDRs (empty for IPv6 or bad
 * input): what a data plane compares a client's loopback address with when a rule names cloud
 * addresses (an LB's allowed source ranges). A /16 or smaller maps to one block; a wider range
 * maps to every `127.X` its second octets reach (and `127.a` for `a.0.x.x`).
 */
export function hostRangesOf(cidr: string): string[] {
  const [address, prefixText] = cidr.split('/');
  const octets = parseIpv4(address ?? '');
  const prefix = Number(prefixText);
  if (!octets || !/^\d{1,2}$/.test(prefixText ?? '') || prefix > 32) {
    return [];
  }
  if (prefix >= 16) {
    const block = hostBlockOf(cidr)!;
    return [`${block.base}/${prefix}`];
  }
  // Second octets b in [first, first + span); b maps to 127.b, except b = 0 which maps to 127.a.
  const span = prefix <= 8 ? 256 : 2 ** (16 - prefix);
  const first = prefix <= 8 ? 0 : octets[1] & ~(span - 1) & 0xff;
  if (first !== 0) {
    return [`127.${first}.0.0/${prefix}`];
  }
  const ranges: string[] = [];
  // [1, span) as aligned blocks: 127.1/16, 127.2/15, 127.4/14, …
  for (let size = 1; size < span; size *= 2) {
    ranges.push(`127.${size}.0.0/${16 - Math.log2(size)}`);
  }
  const a = octets[0];
  const firstOctets = prefix <= 8 ? 2 ** (8 - prefix) : 1;
  for (let i = 0; i < firstOctets && i < 256; i++) {
    const image = ((a & ~(firstOctets - 1)) + i) & 0xff;
    if (image !== 0 && !(image >= 1 && image < span)) {
      ranges.push(`127.${image}.0.0/16`);
    }
  }
  return ranges;
}

/** Where unprivileged processes serve a privileged port: `port + 10000` (80 → 10080). */
export const PRIVILEGED_PORT_OFFSET = 10_000;

let firstUnprivilegedPort: number | undefined;

/**
 * The port a simulated workload serves `port` on at its host address: the port itself, or
 * `port + 10000` when it is below Linux's `net.ipv4.ip_unprivileged_port_start` (1024 unless
 * lowered) and this process is not root — the same mapping the load-balancer data plane falls
 * back to. Every Nimbus process computes it alike, so the kubelet's pod responders and
 * kube-proxy agree on it with no coordination.
 */
export function hostPortOf(port: number): number {
  if (process.getuid?.() === 0) {
    return port;
  }
  firstUnprivilegedPort ??= readUnprivilegedPortStart();
  return port > 0 && port < firstUnprivilegedPort && port + PRIVILEGED_PORT_OFFSET <= 65535
    ? port + PRIVILEGED_PORT_OFFSET
    : port;
}

function readUnprivilegedPortStart(): number {
  try {
    const value = Number.parseInt(
      readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'),
      10,
    );
    return Number.isInteger(value) ? value : 1024;
  } catch {
    // Not Linux (macOS, Windows): ports below 1024 need privileges.
    return 1024;
  }
}
