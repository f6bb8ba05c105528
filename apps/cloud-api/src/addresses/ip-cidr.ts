import ipaddr from 'ipaddr.js';
import { invalidArgument } from '@app/common';

export type IpFamily = 4 | 6;

/** A parsed IPv4 or IPv6 network; `first`/`last` bound its addresses numerically. */
export interface IpCidr {
  family: IpFamily;
  prefix: number;
  first: bigint;
  last: bigint;
  /** Canonical text: network address (RFC 5952 for IPv6) and prefix. */
  text: string;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

/**
 * Parses an IPv4/IPv6 CIDR. With `maskHostBits` host bits are cleared (as Kubernetes accepts
 * loadBalancerSourceRanges); without it they are a 400 naming `field`.
 */
export function parseIpCidr(text: string, field: string, maskHostBits = false): IpCidr {
  if (typeof text !== 'string' || !ipaddr.isValidCIDR(text) || !strictAddress(text.split('/')[0])) {
    throw invalidArgument(
      field,
      `"${String(text)}" is not a CIDR such as 10.244.1.0/24 or 2001:db8::/64`,
    );
  }
  const [address, prefix] = ipaddr.parseCIDR(text);
  const family: IpFamily = address.kind() === 'ipv4' ? 4 : 6;
  const value = toBigInt(address.toByteArray());
  const hostBits = BigInt(BITS[family] - prefix);
  const first = (value >> hostBits) << hostBits;
  if (first !== value && !maskHostBits) {
    throw invalidArgument(
      field,
      `"${text}" has host bits set; did you mean ${formatIp(first, family)}/${prefix}?`,
    );
  }
  const last = first + (1n << hostBits) - 1n;
  return { family, prefix, first, last, text: `${formatIp(first, family)}/${prefix}` };
}

/** Parses a single address; undefined when it is not one. */
export function parseIp(text: string): { family: IpFamily; value: bigint } | undefined {
  if (!strictAddress(text)) {
    return undefined;
  }
  const address = ipaddr.parse(text);
  return { family: address.kind() === 'ipv4' ? 4 : 6, value: toBigInt(address.toByteArray()) };
}

export function formatIp(value: bigint, family: IpFamily): string {
  const bytes: number[] = [];
  for (let i = BITS[family] / 8 - 1; i >= 0; i--) {
    bytes.push(Number((value >> BigInt(i * 8)) & 255n));
  }
  const address = ipaddr.fromByteArray(bytes);
  return address.kind() === 'ipv6'
    ? (address as ipaddr.IPv6).toRFC5952String()
    : address.toString();
}

export function cidrsOverlap(a: IpCidr, b: IpCidr): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** Fixed-width hex of an address, so SQL can compare ranges as text. */
export function sortableHex(value: bigint): string {
  return value.toString(16).padStart(32, '0');
}

/** Dotted quads without leading zeros (ipaddr.js reads 010 as octal) or any IPv6 text. */
function strictAddress(text: string | undefined): boolean {
  if (text === undefined || !ipaddr.isValid(text)) {
    return false;
  }
  return text.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(text);
}

function toBigInt(bytes: number[]): bigint {
  return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}
