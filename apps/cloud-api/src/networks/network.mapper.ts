import type { NetworkDto, SubnetDto } from '@app/cloud-contracts';
import { etagOf } from '../conventions/etag';
import type { NetworkRow } from './networks.repository';

export function networkEtag(row: Pick<NetworkRow, 'id' | 'version'>): string {
  return etagOf(row.id, row.version);
}

export function toNetworkDto(row: NetworkRow, subnets: SubnetDto[]): NetworkDto {
  return {
    id: row.id,
    name: row.name,
    projectId: row.projectId,
    cidr: row.cidr,
    default: row.isDefault,
    subnets: row.isDefault ? subnets : [],
    createdAt: new Date(row.createdAt).toISOString(),
    etag: networkEtag(row),
  };
}
