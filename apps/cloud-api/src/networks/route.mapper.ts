import type { RouteDto } from '@app/cloud-contracts';
import { etagOf } from '../conventions/etag';
import type { RouteRow } from './routes.repository';
import type { RouteView } from './routes.service';

export function routeEtag(row: Pick<RouteRow, 'id' | 'version'>): string {
  return etagOf(row.id, row.version);
}

export function toRouteDto(row: RouteView): RouteDto {
  const dto: RouteDto = {
    id: row.id,
    name: row.name,
    networkId: row.networkId,
    destinationCidr: row.destinationCidr,
    nextHop: { instanceId: row.nextHopInstanceId, ip: row.nextHopIp },
    state: row.state,
    overlaps: row.overlaps,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    etag: routeEtag(row),
  };
  if (row.description !== null) {
    dto.description = row.description;
  }
  return dto;
}
