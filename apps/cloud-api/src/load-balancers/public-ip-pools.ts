import { Injectable } from '@nestjs/common';
import { DomainError } from '@app/common';
import { CloudApiConfig, ConfigError } from '@app/config';
import type { IpFamilyName } from '@app/cloud-contracts';
import type { AddressRange } from '../addresses/address-allocator';
import { formatIp, parseIp, parseIpCidr, type IpCidr } from '../addresses/ip-cidr';

/** One family's pool: offsets [0, size) are the usable addresses from `first`. */
export interface PublicIpPool extends AddressRange {
  family: IpFamilyName;
  cidr: string;
  contains(ip: string): boolean;
}

const PREFIX_LIMITS: Record<IpFamilyName, [number, number]> = {
  IPv4: [16, 30],
  IPv6: [96, 126],
};

/**
 * The public address pools of load balancers (config `lbIpv4Pool` / `lbIpv6Pool`), shared by all
 * projects. IPv4 pools skip the network and broadcast addresses, IPv6 pools the subnet-router one.
 */
@Injectable()
export class PublicIpPools {
  private readonly pools: Record<IpFamilyName, PublicIpPool>;

  constructor(config: CloudApiConfig) {
    this.pools = {
      IPv4: buildPool('IPv4', config.lbIpv4Pool, '--lb-ipv4-pool'),
      IPv6: buildPool('IPv6', config.lbIpv6Pool, '--lb-ipv6-pool'),
    };
  }

  /**
   * Fails on bad pool options before the app opens anything: a provider that throws while Nest
   * builds the app leaves the database it already opened behind (Nest cannot close a half-built app).
   */
  static validate(config: CloudApiConfig): void {
    new PublicIpPools(config);
  }

  of(family: IpFamilyName): PublicIpPool {
    return this.pools[family];
  }
}

function buildPool(family: IpFamilyName, text: string, option: string): PublicIpPool {
  let cidr: IpCidr;
  try {
    cidr = parseIpCidr(text, option);
  } catch (error) {
    throw new ConfigError((error as DomainError).message);
  }
  const [min, max] = PREFIX_LIMITS[family];
  if (cidr.family !== (family === 'IPv4' ? 4 : 6) || cidr.prefix < min || cidr.prefix > max) {
    throw new ConfigError(`${option}: "${text}" must be an ${family} CIDR from /${min} to /${max}`);
  }
  const first = cidr.first + 1n;
  const last = family === 'IPv4' ? cidr.last - 1n : cidr.last;
  return {
    family,
    cidr: cidr.text,
    pool: `public-${family.toLowerCase()}/load-balancers`,
    size: Number(last - first + 1n),
    addressAt: (offset) => formatIp(first + BigInt(offset), cidr.family),
    contains: (ip) => {
      const parsed = parseIp(ip);
      return parsed?.family === cidr.family && parsed.value >= first && parsed.value <= last;
    },
  };
}
