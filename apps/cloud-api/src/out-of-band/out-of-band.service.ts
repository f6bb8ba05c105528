import { Injectable } from '@nestjs/common';
import { Clock, failedPrecondition, notFound } from '@app/common';
import type { InstanceState } from '@app/cloud-contracts';
import { SqliteDatabase } from '@app/persistence';
import { AddressAllocator } from '../addresses/address-allocator';
import { ipv4ToInt } from '../addresses/ipv4';
import { CatalogService } from '../catalog/catalog.service';
import { InstancesRepository, type InstanceRow } from '../instances/instances.repository';
import { InstancesService } from '../instances/instances.service';
import { LoadBalancersRepository } from '../load-balancers/load-balancers.repository';
import { LoadBalancersService } from '../load-balancers/load-balancers.service';
import { RoutesRepository } from '../networks/routes.repository';
import { RoutesService } from '../networks/routes.service';

/** States an instance can be crashed or stopped from, out of band. */
const CRASHABLE: InstanceState[] = ['pending', 'running', 'stopping', 'error'];
const STOPPABLE: InstanceState[] = ['running', 'stopping'];

/**
 * Changes "someone else" makes (a console user, another tool): immediate, in any project, with
 * no operation, and with the side effects of the normal transitions, so controllers' drift
 * handling can be tested. Each runs in one transaction; the audit log marks them out-of-band and
 * the change stream shows them like any other change.
 */
@Injectable()
export class OutOfBandService {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly instanceRows: InstancesRepository,
    private readonly instances: InstancesService,
    private readonly catalog: CatalogService,
    private readonly addresses: AddressAllocator,
    private readonly loadBalancerRows: LoadBalancersRepository,
    private readonly loadBalancers: LoadBalancersService,
    private readonly routeRows: RoutesRepository,
    private readonly routes: RoutesService,
    private readonly clock: Clock,
  ) {}

  /** The instance stops at once (as a host failure would), from pending, running or stopping. */
  crash(id: string): InstanceRow {
    return this.stopNow(id, CRASHABLE, 'crash');
  }

  /** Stopped at once, as by a console user. */
  stop(id: string): InstanceRow {
    return this.stopNow(id, STOPPABLE, 'stop');
  }

  /** Terminated at once: addresses released, volumes detached, routes blackholed, backends dropped. */
  terminate(id: string): InstanceRow {
    return this.db.transaction(() => {
      const row = this.instance(id);
      if (row.state === 'terminated') {
        throw failedPrecondition(`instance ${id} is already terminated`);
      }
      this.instances.terminateAt(row, this.clock.now());
      return this.instance(id);
    });
  }

  /** A new private IP (the given one, or the next free one); routes and backends follow it. */
  changePrivateIp(id: string, requested?: string): InstanceRow {
    return this.db.transaction(() => {
      const row = this.live(id, 'change the private IP of');
      const range = this.catalog.subnetRange(row.projectId, row.zone);
      let ip: string;
      if (requested === undefined) {
        ip = this.addresses.allocate(range, row.id);
      } else {
        const offset = ipv4ToInt(requested) - ipv4ToInt(range.addressAt(0));
        if (offset < 0 || offset >= range.size) {
          throw failedPrecondition(
            `${requested} is not an assignable address of the ${row.zone} subnet (${range.addressAt(0)}-${range.addressAt(range.size - 1)})`,
          );
        }
        if (requested !== row.privateIp && !this.addresses.claim(range.pool, requested, row.id)) {
          throw failedPrecondition(`${requested} is already in use`);
        }
        ip = requested;
      }
      if (ip === row.privateIp) {
        return row;
      }
      const now = this.clock.now();
      this.addresses.releaseAddress(range.pool, row.privateIp);
      this.instanceRows.setPrivateIp(row.id, ip, now);
      this.routeRows.setNextHopIp(row.id, ip, now);
      for (const lb of this.loadBalancerRows.setBackendIp(row.id, ip)) {
        this.loadBalancerRows.touch(lb, now);
      }
      return this.instance(id);
    });
  }

  /** The load balancer is gone at once: addresses, backends and quota released. */
  deleteLoadBalancer(id: string): void {
    this.db.transaction(() => {
      const row = this.loadBalancerRows.findById(id);
      if (!row) {
        throw notFound('load balancer', id);
      }
      this.loadBalancers.finalizeDeletion(row);
    });
  }

  deleteRoute(id: string): void {
    this.db.transaction(() => {
      const row = this.routeRows.findById(id);
      if (!row) {
        throw notFound('route', id);
      }
      this.routes.remove(row);
    });
  }

  private stopNow(id: string, from: InstanceState[], verb: string): InstanceRow {
    return this.db.transaction(() => {
      const row = this.instance(id);
      if (!from.includes(row.state)) {
        throw failedPrecondition(
          `cannot ${verb} an instance in state "${row.state}" (only ${from.join(', ')})`,
        );
      }
      this.instanceRows.setState(row.id, 'stopped', null, null, this.clock.now());
      return this.instance(id);
    });
  }

  private live(id: string, verb: string): InstanceRow {
    const row = this.instance(id);
    if (row.state === 'terminated' || row.state === 'shutting-down') {
      throw failedPrecondition(`cannot ${verb} an instance in state "${row.state}"`);
    }
    return row;
  }

  private instance(id: string): InstanceRow {
    const row = this.instanceRows.findById(id);
    if (!row) {
      throw notFound('instance', id);
    }
    return row;
  }
}
