import type { InstanceDto, InstanceVolumeDto } from '@app/cloud-contracts';
import { etagOf } from '../conventions/etag';
import type { InstanceRow } from './instances.repository';

export function providerIdOf(row: Pick<InstanceRow, 'projectId' | 'zone' | 'id'>): string {
  return `nimbus://${row.projectId}/${row.zone}/${row.id}`;
}

export function instanceEtag(row: Pick<InstanceRow, 'id' | 'version'>): string {
  return etagOf(row.id, row.version);
}

export function toInstanceDto(row: InstanceRow, volumes: InstanceVolumeDto[]): InstanceDto {
  const dto: InstanceDto = {
    id: row.id,
    name: row.name,
    projectId: row.projectId,
    zone: row.zone,
    region: row.region,
    instanceType: row.instanceType,
    state: row.state,
    imported: row.imported,
    providerId: providerIdOf(row),
    privateIp: row.privateIp,
    hostname: row.hostname,
    privateDnsName: `ip-${row.privateIp.replace(/\./g, '-')}.${row.region}.compute.internal`,
    labels: JSON.parse(row.labels) as Record<string, string>,
    volumes,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    etag: instanceEtag(row),
  };
  if (row.publicIp) {
    dto.publicIp = row.publicIp;
  }
  if (row.userData !== null) {
    dto.userData = row.userData;
  }
  return dto;
}
