import type {
  CreateVolumeRequest,
  ListVolumesQuery,
  VolumeDto,
  VolumeOperationDto,
} from '@app/cloud-contracts';
import { collect, paginate, type Page } from './paging';
import { Resource, seg, type Filter, type MutationOptions, type Query } from './resource';

/** `/v1/volumes`: block volumes, their attachments to instances, resizes. */
export class VolumesApi extends Resource {
  get(id: string): Promise<VolumeDto> {
    return this.read(`/v1/volumes/${seg(id)}`);
  }

  list(query?: Query<ListVolumesQuery>): Promise<Page<VolumeDto>> {
    return this.read('/v1/volumes', query);
  }

  listAll(filter?: Filter<ListVolumesQuery>): AsyncGenerator<VolumeDto> {
    return paginate((pageToken) => this.list({ pageSize: 500, ...filter, pageToken }));
  }

  /** The volume with this exact name (unique among a project's volumes not being deleted). */
  async findByName(name: string): Promise<VolumeDto | undefined> {
    const all = await collect(this.listAll({ name }));
    return all.find((v) => v.state !== 'deleting') ?? all[0];
  }

  create(req: CreateVolumeRequest, options?: MutationOptions): Promise<VolumeOperationDto> {
    return this.send('POST', '/v1/volumes', req, options);
  }

  /** Grows the volume (`sizeGiB` ≥ the current size). */
  resize(id: string, sizeGiB: number, options?: MutationOptions): Promise<VolumeOperationDto> {
    return this.send('POST', `/v1/volumes/${seg(id)}/resize`, { sizeGiB }, options);
  }

  attach(id: string, instanceId: string, options?: MutationOptions): Promise<VolumeOperationDto> {
    return this.send('POST', `/v1/volumes/${seg(id)}/attach`, { instanceId }, options);
  }

  detach(id: string, instanceId: string, options?: MutationOptions): Promise<VolumeOperationDto> {
    return this.send('POST', `/v1/volumes/${seg(id)}/detach`, { instanceId }, options);
  }

  delete(id: string, options?: MutationOptions): Promise<VolumeOperationDto> {
    return this.send('DELETE', `/v1/volumes/${seg(id)}`, undefined, options);
  }
}
