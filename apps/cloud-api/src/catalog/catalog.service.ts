import { Injectable } from '@nestjs/common';
import { invalidArgument } from '@app/common';
import { CloudApiConfig, ConfigError } from '@app/config';
import type { InstanceTypeDto, RegionDto, VolumeTypeDto, ZoneDto } from '@app/cloud-contracts';
import { readFileSync } from 'node:fs';
import { formatCidr, intToIpv4, parseIpv4Cidr, splitCidr, type Ipv4Cidr } from '../addresses/ipv4';
import type { AddressRange } from '../addresses/address-allocator';
import { DEFAULT_CATALOG, type CatalogSpec } from './catalog.defaults';
import { validateCatalogSpec } from './catalog.spec-validation';

/** Addresses AWS-style subnets keep back: network, router, DNS, future use … and broadcast. */
const RESERVED_LOW = 4;
const RESERVED_HIGH = 1;

/** Read-only catalog of regions, zones (with their subnets), instance types and volume types. */
@Injectable()
export class CatalogService {
  private readonly spec: CatalogSpec;
  private readonly subnets = new Map<string, Ipv4Cidr>();
  private readonly regionOfZone = new Map<string, string>();

  constructor(config: CloudApiConfig) {
    this.spec = config.catalog ? loadCatalogFile(config.catalog) : DEFAULT_CATALOG;
    const network = parseIpv4Cidr(config.networkCidr, 'network-cidr');
    const zones = this.spec.regions.flatMap((r) =>
      r.zones.map((z) => ({ zone: z, region: r.name })),
    );
    splitCidr(network, zones.length).forEach((subnet, i) => {
      this.subnets.set(zones[i].zone, subnet);
      this.regionOfZone.set(zones[i].zone, zones[i].region);
    });
  }

  regions(): RegionDto[] {
    return this.spec.regions.map((r) => ({ name: r.name, zones: [...r.zones] }));
  }

  zones(): ZoneDto[] {
    return [...this.regionOfZone].map(([zone, region]) => ({
      name: zone,
      region,
      subnetCidr: formatCidr(this.subnets.get(zone)!),
    }));
  }

  instanceTypes(): InstanceTypeDto[] {
    const zones = [...this.regionOfZone.keys()];
    return this.spec.instanceTypes.map((t) => ({ ...t, zones }));
  }

  /** The region of a zone, or 400 naming `field`. */
  requireZone(zone: string, field = 'zone'): string {
    const region = this.regionOfZone.get(zone);
    if (!region) {
      throw invalidArgument(field, `unknown zone "${zone}"; see GET /v1/zones`);
    }
    return region;
  }

  instanceTypeOrUndefined(name: string): InstanceTypeDto | undefined {
    return this.instanceTypes().find((t) => t.name === name);
  }

  requireInstanceType(name: string, field = 'instanceType'): InstanceTypeDto {
    const type = this.instanceTypeOrUndefined(name);
    if (!type) {
      throw invalidArgument(field, `unknown instance type "${name}"; see GET /v1/instance-types`);
    }
    return type;
  }

  volumeTypes(): VolumeTypeDto[] {
    const zones = [...this.regionOfZone.keys()];
    return this.spec.volumeTypes.map((t) => ({ ...t, zones }));
  }

  /** The type a volume create without `type` gets. */
  defaultVolumeType(): VolumeTypeDto {
    return this.volumeTypes().find((t) => t.default) ?? this.volumeTypes()[0];
  }

  /** The only region when the catalog has one (creates may then omit `region`). */
  soleRegion(): string | undefined {
    return this.spec.regions.length === 1 ? this.spec.regions[0].name : undefined;
  }

  requireVolumeType(name: string, field = 'type'): VolumeTypeDto {
    const type = this.volumeTypes().find((t) => t.name === name);
    if (!type) {
      throw invalidArgument(field, `unknown volume type "${name}"; see GET /v1/volume-types`);
    }
    return type;
  }

  /** The allocatable private addresses of a zone's subnet in one project's default network. */
  subnetRange(projectId: string, zone: string): AddressRange {
    const subnet = this.subnets.get(zone)!;
    return {
      pool: `subnet/${projectId}/${zone}`,
      size: subnet.size - RESERVED_LOW - RESERVED_HIGH,
      addressAt: (offset) => intToIpv4(subnet.base + RESERVED_LOW + offset),
    };
  }
}

function loadCatalogFile(path: string): CatalogSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`catalog ${path}: ${(error as Error).message}`);
  }
  return validateCatalogSpec(raw, path);
}
