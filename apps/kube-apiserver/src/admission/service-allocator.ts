import type { KubeObject } from '../object/types';
import { isPlainObject } from '../object/types';
import type { FieldError } from '../errors/kube-error';
import { getArray, getString } from '../registry/object-path';

const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    return undefined;
  }
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

const intToIp = (n: number): string =>
  [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

const usesNodePorts = (type: string | undefined) => type === 'NodePort' || type === 'LoadBalancer';
/**
 * upstream dropTypeDependentFields (pkg/registry/core/service/strategy.go): leaving
 * LoadBalancer drops `allocateLoadBalancerNodePorts`, leaving NodePort/LoadBalancer drops
 * `externalTrafficPolicy` — each only when the update did not change it.
 */
function dropTypeDependentFields(spec: Record<string, unknown>, old: KubeObject | undefined): void {
  const oldSpec = isPlainObject(old?.spec) ? old.spec : undefined;
  if (!oldSpec) {
    return;
  }
  const type = spec.type as string | undefined;
  if (
    oldSpec.type === 'LoadBalancer' &&
    type !== 'LoadBalancer' &&
    spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts
  ) {
    delete spec.allocateLoadBalancerNodePorts;
  }
  if (
    usesNodePorts(oldSpec.type as string | undefined) &&
    !usesNodePorts(type) &&
    spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy
  ) {
    delete spec.externalTrafficPolicy;
  }
}

/** upstream needsHCNodePort: a LoadBalancer with `externalTrafficPolicy: Local`. */
const needsHealthCheckNodePort = (svc: KubeObject | undefined) =>
  !!svc &&
  getString(svc, 'spec.type') === 'LoadBalancer' &&
  getString(svc, 'spec.externalTrafficPolicy') === 'Local';
const usesClusterIp = (svc: KubeObject) =>
  getString(svc, 'spec.type') !== 'ExternalName' && getString(svc, 'spec.clusterIP') !== 'None';

/** Reservation made for one write; `release()` undoes it (dry runs, failed writes). */
export interface Reservation {
  errors: FieldError[];
  release(): void;
}

/**
 * What the real api-server does itself for Services: ClusterIPs from the service CIDR and
 * NodePorts from 30000-32767, released when the Service goes away or stops needing them.
 */
export class ServiceAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly ips = new Set<number>();
  private readonly ports = new Set<number>();
  private nextIp = 1;

  /**
   * `random` picks where the scan for a free NodePort starts: upstream allocates NodePorts at
   * random (so two clusters on one machine — their nodes all on loopback — rarely meet).
   */
  constructor(
    cidr: string,
    private readonly random: () => number = Math.random,
  ) {
    const [ip, bits] = cidr.split('/');
    this.base = ipToInt(ip) ?? 0;
    this.size = 2 ** (32 - Number(bits));
  }

  /** The first usable address, for `default/kubernetes`. */
  get firstIp(): string {
    return intToIp(this.base + 1);
  }

  /** Marks what existing Services hold (at startup). */
  track(svc: KubeObject): void {
    if (usesClusterIp(svc)) {
      const ip = ipToInt(getString(svc, 'spec.clusterIP') ?? '');
      if (ip !== undefined) {
        this.ips.add(ip);
      }
    }
    for (const p of getArray(svc, 'spec.ports')) {
      if (typeof p.nodePort === 'number') {
        this.ports.add(p.nodePort);
      }
    }
    const hcnp = (svc.spec as Record<string, unknown> | undefined)?.healthCheckNodePort;
    if (typeof hcnp === 'number' && hcnp > 0) {
      this.ports.add(hcnp);
    }
  }

  /** Fills clusterIP/clusterIPs and nodePorts on `svc` (mutated); `old` is the stored version on update. */
  allocate(svc: KubeObject, old: KubeObject | undefined): Reservation {
    const errors: FieldError[] = [];
    const takenIps: number[] = [];
    const takenPorts: number[] = [];
    const spec = (isPlainObject(svc.spec) ? svc.spec : (svc.spec = {})) as Record<string, unknown>;
    const oldIp = old && usesClusterIp(old) ? getString(old, 'spec.clusterIP') : undefined;
    if (usesClusterIp(svc)) {
      const wanted = (spec.clusterIP as string | undefined) || oldIp;
      if (wanted && wanted === oldIp) {
        spec.clusterIP = wanted;
      } else if (wanted) {
        const n = ipToInt(wanted);
        if (n === undefined || n <= this.base || n >= this.base + this.size - 1) {
          errors.push({
            field: 'spec.clusterIPs',
            message: `Invalid value: ["${wanted}"]: failed to allocate IP ${wanted}: the provided IP (${wanted}) is not in the valid range`,
          });
        } else if (this.ips.has(n)) {
          errors.push({
            field: 'spec.clusterIPs',
            message: `Invalid value: ["${wanted}"]: failed to allocate IP ${wanted}: provided IP is already allocated`,
          });
        } else {
          this.ips.add(n);
          takenIps.push(n);
        }
      } else {
        const n = this.takeIp();
        if (n === undefined) {
          errors.push({ field: 'spec.clusterIPs', message: 'Internal error: range is full' });
        } else {
          takenIps.push(n);
          spec.clusterIP = intToIp(n);
        }
      }
      if (spec.clusterIP) {
        spec.clusterIPs = [spec.clusterIP];
      }
    } else if (spec.type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    const oldPorts = new Set(
      getArray(old, 'spec.ports').map((p) => p.nodePort as number | undefined),
    );
    dropTypeDependentFields(spec, old);
    const ports = getArray(svc, 'spec.ports');
    if (usesNodePorts(spec.type as string | undefined)) {
      // upstream shouldAllocateNodePorts: a LoadBalancer with allocateLoadBalancerNodePorts
      // false gets no new nodePorts (the ones asked for or kept are still honoured).
      const allocateNew = spec.type === 'NodePort' || spec.allocateLoadBalancerNodePorts !== false;
      ports.forEach((p, i) => {
        if (!allocateNew && !p.nodePort) {
          delete p.nodePort;
          return;
        }
        if (typeof p.nodePort === 'number' && p.nodePort !== 0) {
          if (oldPorts.has(p.nodePort)) {
            return;
          }
          if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
            errors.push({
              field: `spec.ports[${i}].nodePort`,
              message: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`,
            });
          } else if (this.ports.has(p.nodePort)) {
            errors.push({
              field: `spec.ports[${i}].nodePort`,
              message: `Invalid value: ${p.nodePort}: provided port is already allocated`,
            });
          } else {
            this.ports.add(p.nodePort);
            takenPorts.push(p.nodePort);
          }
        } else {
          const port = this.takePort();
          if (port === undefined) {
            errors.push({
              field: `spec.ports[${i}].nodePort`,
              message: 'Internal error: range is full',
            });
          } else {
            takenPorts.push(port);
            p.nodePort = port;
          }
        }
      });
    } else {
      for (const p of ports) {
        delete p.nodePort;
      }
    }
    this.allocateHealthCheckNodePort(spec, old, errors, takenPorts);
    const release = () => {
      takenIps.forEach((n) => this.ips.delete(n));
      takenPorts.forEach((n) => this.ports.delete(n));
    };
    if (errors.length > 0) {
      release();
    }
    return { errors, release };
  }

  /** After a committed update: frees what `old` held and `svc` no longer does. */
  releaseDropped(old: KubeObject, svc: KubeObject | undefined): void {
    const keptIp = svc && usesClusterIp(svc) ? getString(svc, 'spec.clusterIP') : undefined;
    const oldIp = usesClusterIp(old) ? getString(old, 'spec.clusterIP') : undefined;
    if (oldIp && oldIp !== keptIp) {
      const n = ipToInt(oldIp);
      if (n !== undefined) {
        this.ips.delete(n);
      }
    }
    const kept = new Set(getArray(svc, 'spec.ports').map((p) => p.nodePort));
    const keptHcnp = (svc?.spec as Record<string, unknown> | undefined)?.healthCheckNodePort;
    kept.add(keptHcnp);
    for (const p of getArray(old, 'spec.ports')) {
      if (typeof p.nodePort === 'number' && !kept.has(p.nodePort)) {
        this.ports.delete(p.nodePort);
      }
    }
    const oldHcnp = (old.spec as Record<string, unknown> | undefined)?.healthCheckNodePort;
    if (typeof oldHcnp === 'number' && !kept.has(oldHcnp)) {
      this.ports.delete(oldHcnp);
    }
  }

  /**
   * `spec.healthCheckNodePort` (pkg/registry/core/service/storage/alloc.go): allocated from the
   * NodePort range for a LoadBalancer with `externalTrafficPolicy: Local` (the one asked for, or
   * any), kept across updates, and dropped when the Service stops needing it.
   */
  private allocateHealthCheckNodePort(
    spec: Record<string, unknown>,
    old: KubeObject | undefined,
    errors: FieldError[],
    takenPorts: number[],
  ): void {
    const field = 'spec.healthCheckNodePort';
    const asked = typeof spec.healthCheckNodePort === 'number' ? spec.healthCheckNodePort : 0;
    const previous = (old?.spec as Record<string, unknown> | undefined)?.healthCheckNodePort;
    const oldPort = needsHealthCheckNodePort(old) ? (previous as number | undefined) : undefined;
    const needed = spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
    if (!needed) {
      // dropTypeDependentFields clears a value carried over from the old object.
      if (asked && asked !== previous) {
        errors.push({
          field,
          message: `Invalid value: ${asked}: may only be set when \`type\` is 'LoadBalancer' and \`externalTrafficPolicy\` is 'Local'`,
        });
        return;
      }
      delete spec.healthCheckNodePort;
      return;
    }
    if (oldPort) {
      if (asked && asked !== oldPort) {
        errors.push({ field, message: `Invalid value: ${asked}: field is immutable` });
        return;
      }
      spec.healthCheckNodePort = oldPort;
      return;
    }
    if (asked) {
      if (asked < NODE_PORT_MIN || asked > NODE_PORT_MAX) {
        errors.push({
          field,
          message: `Invalid value: ${asked}: provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`,
        });
      } else if (this.ports.has(asked)) {
        errors.push({
          field,
          message: `Invalid value: ${asked}: provided port is already allocated`,
        });
      } else {
        this.ports.add(asked);
        takenPorts.push(asked);
      }
      return;
    }
    const port = this.takePort();
    if (port === undefined) {
      errors.push({ field, message: 'Internal error: range is full' });
    } else {
      takenPorts.push(port);
      spec.healthCheckNodePort = port;
    }
  }

  private takeIp(): number | undefined {
    for (let i = 0; i < this.size - 2; i++) {
      const offset = ((this.nextIp - 1 + i) % (this.size - 2)) + 1;
      const n = this.base + offset;
      if (!this.ips.has(n)) {
        this.ips.add(n);
        this.nextIp = offset + 1;
        return n;
      }
    }
    return undefined;
  }

  private takePort(): number | undefined {
    const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    const start = Math.floor(this.random() * span);
    for (let i = 0; i < span; i++) {
      const port = NODE_PORT_MIN + ((start + i) % span);
      if (!this.ports.has(port)) {
        this.ports.add(port);
        return port;
      }
    }
    return undefined;
  }
}
