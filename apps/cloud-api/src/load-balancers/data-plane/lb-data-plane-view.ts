import type {
  DataPlanePortDto,
  IpFamilyName,
  LoadBalancerDataPlaneDto,
} from '@app/cloud-contracts';
import type { Health, VirtualServerStatus } from '@app/dataplane';
import type { LoadBalancerSpec } from '../load-balancer-spec';
import type { LoadBalancerRow } from '../load-balancers.repository';
import { boundFamilies, modeOf, plannedAddress } from './lb-bind-plans';
import { listenerName, publicIpOf } from './lb-virtual-server';

/** LB states whose listeners are open. */
export const SERVED_STATES: ReadonlySet<string> = new Set(['active', 'updating']);

export interface BackendHealthView {
  health: Health;
  /** Cloud clock, ms. */
  changedAt?: number;
  detail?: string;
}

/** What the data plane adds to a load balancer as shown: `dataPlane` and each backend's health. */
export interface LoadBalancerRuntime {
  dataPlane: LoadBalancerDataPlaneDto;
  health: ReadonlyMap<string, BackendHealthView>;
}

/** The `dataPlane` of a load balancer from its row and its virtual server's status (if running). */
export function describeDataPlane(
  row: LoadBalancerRow,
  status: VirtualServerStatus | undefined,
  lbBind: string | undefined,
  applyError?: string,
): LoadBalancerRuntime {
  const spec = JSON.parse(row.spec) as LoadBalancerSpec;
  const families = boundFamilies(JSON.parse(row.ipFamilies) as IpFamilyName[], lbBind);
  const planned = plannedAddress(families[0], publicIpOf(row, families[0]), lbBind);
  const health = new Map<string, BackendHealthView>(
    (status?.backends ?? []).map((b) => [
      b.id,
      { health: b.health, changedAt: b.since, detail: b.detail },
    ]),
  );
  const base = { mode: modeOf(planned, lbBind), address: planned, healthyBackends: 0, ports: [] };
  if (!SERVED_STATES.has(row.state)) {
    const message =
      row.state === 'provisioning'
        ? 'listeners open when the load balancer is active'
        : `listeners are closed while the load balancer is ${row.state === 'error' ? 'in error' : row.state}`;
    return {
      dataPlane: { ...base, state: row.state === 'provisioning' ? 'pending' : 'stopped', message },
      health: new Map(),
    };
  }
  const byName = new Map((status?.listeners ?? []).map((l) => [l.name, l]));
  const ports: DataPlanePortDto[] = families.flatMap((ipFamily) =>
    spec.listeners.map((l) => {
      const bound = byName.get(listenerName(l.protocol, l.port, ipFamily));
      const port: DataPlanePortDto = {
        protocol: l.protocol,
        port: l.port,
        ipFamily,
        state: bound?.state ?? 'opening',
      };
      if (bound?.state === 'listening') {
        port.address = bound.address;
        port.hostPort = bound.port;
      }
      if (bound?.message) {
        port.message = bound.message;
      }
      return port;
    }),
  );
  const address = ports.find((p) => p.address)?.address ?? planned;
  const dataPlane: LoadBalancerDataPlaneDto = {
    mode: modeOf(address, lbBind),
    address,
    healthyBackends: status?.eligibleBackends ?? 0,
    ports,
    ...stateOf(ports, status, applyError),
  };
  return { dataPlane, health };
}

function stateOf(
  ports: DataPlanePortDto[],
  status: VirtualServerStatus | undefined,
  applyError: string | undefined,
): Pick<LoadBalancerDataPlaneDto, 'state' | 'message'> {
  if (applyError) {
    return { state: 'error', message: applyError };
  }
  const failed = ports.filter((p) => p.state === 'failed');
  if (failed.length > 0) {
    const serving = ports.length - failed.length;
    return {
      state: 'error',
      message: `${failed.map((p) => `${p.protocol}/${p.port}: ${p.message ?? 'failed'}`).join('; ')}${
        serving > 0 ? `; the other ${serving} listener(s) serve` : ''
      } (retrying)`,
    };
  }
  if (!status || ports.some((p) => p.state === 'opening')) {
    return { state: 'starting', message: 'opening listeners' };
  }
  if (status.eligibleBackends > 0) {
    return { state: 'serving' };
  }
  if (status.backends.some((b) => b.health === 'unknown')) {
    return { state: 'starting', message: 'waiting for the first health checks' };
  }
  return {
    state: 'no_healthy_backends',
    message:
      status.backends.length === 0
        ? 'no backends: connections are refused'
        : `no healthy backend (${status.backends.length} unhealthy): connections are refused`,
  };
}
