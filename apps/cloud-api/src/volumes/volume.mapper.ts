import type { InstanceVolumeDto, VolumeDto } from '@app/cloud-contracts';
import { etagOf } from '../conventions/etag';
import type { AttachmentRow } from './volume-attachments.repository';
import type { VolumeRow } from './volumes.repository';

/** A volume with its attachments: what the API shows. */
export interface VolumeView {
  row: VolumeRow;
  attachments: AttachmentRow[];
}

export function volumeEtag(row: Pick<VolumeRow, 'id' | 'version'>): string {
  return etagOf(row.id, row.version);
}

export function toVolumeDto({ row, attachments }: VolumeView): VolumeDto {
  return {
    id: row.id,
    name: row.name,
    projectId: row.projectId,
    zone: row.zone,
    region: row.region,
    type: row.type,
    sizeGiB: row.sizeGiB,
    multiAttach: row.multiAttach,
    deleteOnTermination: row.deleteOnTermination,
    state: row.state,
    attachments: attachments.map((a) => ({
      instanceId: a.instanceId,
      device: a.device,
      state: a.state,
    })),
    labels: JSON.parse(row.labels) as Record<string, string>,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    etag: volumeEtag(row),
  };
}

export function toInstanceVolumeDto(a: AttachmentRow): InstanceVolumeDto {
  return { volumeId: a.volumeId, device: a.device, state: a.state };
}
