import { invalidArgument } from '@app/common';

export interface Ipv4Cidr {
  base: number;
  prefix: number;
  size: number;
}

export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Parses `a.b.c.d/p`; the address must be the network address. */
export function parseIpv4Cidr(text: string, field = 'cidr'): Ipv4Cidr {
  const [ip, prefixText] = text.split('/');
  const prefix = Number(prefixText);
  if (!IPV4.test(ip ?? '') || !/^\d{1,2}$/.test(prefixText ?? '') || prefix > 32) {
    throw invalidArgument(field, `"${text}" is not an IPv4 CIDR such as 10.0.0.0/16`);
  }
  const size = 2 ** (32 - prefix);
  const base = ipv4ToInt(ip);
  if (base % size !== 0) {
    throw invalidArgument(
      field,
      `"${text}" has host bits set; did you mean ${intToIpv4(base - (base % size))}/${prefix}?`,
    );
  }
  return { base, prefix, size };
}

export function formatCidr(c: Ipv4Cidr): string {
  return `${intToIpv4(c.base)}/${c.prefix}`;
}

/** Splits a network into `count` equal subnets (the smallest power of two that fits). */
export function splitCidr(network: Ipv4Cidr, count: number): Ipv4Cidr[] {
  const bits = Math.ceil(Math.log2(Math.max(count, 1)));
  const prefix = network.prefix + bits;
  if (prefix > 28) {
    throw new Error(`network /${network.prefix} is too small for ${count} subnets`);
  }
  const size = 2 ** (32 - prefix);
  return Array.from({ length: count }, (_, i) => ({ base: network.base + i * size, prefix, size }));
}

export function cidrContains(c: Ipv4Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + c.size;
}
