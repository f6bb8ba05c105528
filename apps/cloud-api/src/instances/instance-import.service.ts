import { Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import {
  alreadyExists,
  Clock,
  failedPrecondition,
  IdGenerator,
  invalidArgument,
} from '@app/common';
import type { ImportInstanceRequest } from '@app/cloud-contracts';
import { AddressAllocator } from '../addresses/address-allocator';
import { ipv4ToInt } from '../addresses/ipv4';
import type { Principal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import { OperationsService } from '../operations/operations.service';
import { QuotasService } from '../quotas/quotas.service';
import { InstancesRepository } from './instances.repository';
import type { InstanceMutation } from './instances.service';

/**
 * `POST /v1/instances:import`: a machine Nimbus does not run (a kind container, a minikube VM)
 * becomes an instance, `running` at once, marked `imported`, keeping its real address as its
 * private IP — inside the network's CIDR or not — so a CCM reports the IP the kubelet registered.
 * It counts against the instances and vcpus quotas like any instance. Runs inside the
 * MutationRunner's transaction.
 */
@Injectable()
export class InstanceImportService {
  constructor(
    private readonly instances: InstancesRepository,
    private readonly catalog: CatalogService,
    private readonly addresses: AddressAllocator,
    private readonly operations: OperationsService,
    private readonly quotas: QuotasService,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  import(principal: Principal, req: ImportInstanceRequest): InstanceMutation {
    requireHostAddress(req.privateIp);
    const zone = req.zone ?? this.catalog.zones()[0].name;
    const region = this.catalog.requireZone(zone);
    const type = this.catalog.requireInstanceType(
      req.instanceType ?? this.catalog.instanceTypes()[0].name,
    );
    const projectId = principal.projectId;
    if (this.instances.findLiveByName(projectId, req.name)) {
      throw alreadyExists(`an instance named "${req.name}" already exists in project ${projectId}`);
    }
    const holder = this.instances.findLiveByPrivateIp(projectId, req.privateIp);
    if (holder) {
      throw alreadyExists(
        `${req.privateIp} is already the private IP of instance ${holder.id} (${holder.name})`,
      );
    }
    const id = this.ids.next('i');
    this.reserveIfInSubnet(projectId, req.privateIp, id);
    this.quotas.consume(projectId, 'instances', 1);
    this.quotas.consume(projectId, 'vcpus', type.vcpus);
    const now = this.clock.now();
    const row = this.instances.insert({
      id,
      projectId,
      name: req.name,
      zone,
      region,
      instanceType: type.name,
      state: 'running',
      nextState: null,
      transitionEndsAt: null,
      privateIp: req.privateIp,
      publicIp: null,
      hostname: req.name,
      labels: JSON.stringify(req.labels ?? {}),
      userData: null,
      imported: true,
      version: 1,
      createdAt: now,
      updatedAt: now,
      terminatedAt: null,
    });
    const operation = this.operations.start(
      projectId,
      'instances.import',
      { type: 'instance', id: row.id, name: row.name },
      0,
    );
    return { instance: row, operation };
  }

  /**
   * An address inside one of the project's zone subnets is claimed there (released when the
   * instance terminates), so Nimbus never hands it to a simulated instance as well.
   */
  private reserveIfInSubnet(projectId: string, ip: string, ownerId: string): void {
    const address = ipv4ToInt(ip);
    for (const { name } of this.catalog.zones()) {
      const range = this.catalog.subnetRange(projectId, name);
      const offset = address - ipv4ToInt(range.addressAt(0));
      if (offset >= 0 && offset < range.size) {
        if (!this.addresses.claim(range.pool, ip, ownerId)) {
          throw failedPrecondition(`${ip} is already in use in the ${name} subnet`);
        }
        return;
      }
    }
  }
}

/** Ranges no machine has as its own address (a load balancer would dial them as a backend). */
const NOT_A_HOST = new Set(['unspecified', 'broadcast', 'multicast']);

function requireHostAddress(ip: string): void {
  const range = ipaddr.IPv4.parse(ip).range();
  if (NOT_A_HOST.has(range)) {
    throw invalidArgument('privateIp', `${ip} is a ${range} address, not a machine's`);
  }
}
