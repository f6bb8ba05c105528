import ipaddr from 'ipaddr.js';
import { ConfigError } from '@app/config';

export interface ParsedCidr {
  text: string;
  family: 'IPv4' | 'IPv6';
  address: ipaddr.IPv4 | ipaddr.IPv6;
  prefix: number;
}

/**
 * `--cluster-cidr` as upstream's processCIDRs reads it: 1–2 comma-separated CIDRs, two only when
 * dual-stack (one per family). Anything else is fatal at start-up (ccm-behaviour §3.2.5).
 */
export function parseClusterCidrs(text: string): ParsedCidr[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) {
    throw new ConfigError('--cluster-cidr: no CIDR given');
  }
  if (parts.length > 2) {
    throw new ConfigError(`--cluster-cidr: at most 2 CIDRs (one per family), got "${text}"`);
  }
  const cidrs = parts.map((part) => {
    try {
      const [address, prefix] = ipaddr.parseCIDR(part);
      return {
        text: part,
        family: address.kind() === 'ipv4' ? ('IPv4' as const) : ('IPv6' as const),
        address,
        prefix,
      };
    } catch {
      throw new ConfigError(`--cluster-cidr: "${part}" is not a valid CIDR`);
    }
  });
  if (cidrs.length === 2 && cidrs[0].family === cidrs[1].family) {
    throw new ConfigError(
      `--cluster-cidr: two CIDRs must be dual-stack (IPv4 and IPv6): "${text}"`,
    );
  }
  return cidrs;
}
