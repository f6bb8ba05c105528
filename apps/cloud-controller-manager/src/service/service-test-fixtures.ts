import type {
  GetLoadBalancerResult,
  LoadBalancer,
  LoadBalancerStatus,
  ProviderNode,
  ProviderService,
} from '@app/cloud-provider';
import { FakeInformer, type ObjectReference } from '@app/controller-runtime';
import type { ServiceCondition } from './load-balancer-conditions';
import type { LoadBalancerIngress, Node, Service, ServiceWriter } from './service-types';

/** A LoadBalancer double in the spirit of upstream's fake provider: state, call log, errors. */
export class FakeLoadBalancer implements LoadBalancer {
  readonly calls: string[] = [];
  readonly balancers = new Map<string, { hosts: string[]; service: ProviderService }>();
  /** Errors thrown by the next calls of a method (one-shot each). */
  readonly errors: Partial<Record<'ensure' | 'update' | 'delete' | 'get', Error[]>> = {};
  ip = '203.0.113.10';

  private fail(method: 'ensure' | 'update' | 'delete' | 'get'): void {
    const next = this.errors[method]?.shift();
    if (next !== undefined) {
      throw next;
    }
  }

  getLoadBalancerName(_cluster: string, service: ProviderService): string {
    return `${service.metadata?.namespace}/${service.metadata?.name}`;
  }

  getLoadBalancer(cluster: string, service: ProviderService): Promise<GetLoadBalancerResult> {
    this.calls.push(`get ${this.getLoadBalancerName(cluster, service)}`);
    this.fail('get');
    const exists = this.balancers.has(this.getLoadBalancerName(cluster, service));
    return Promise.resolve({ exists, status: { ingress: exists ? [{ ip: this.ip }] : [] } });
  }

  ensureLoadBalancer(
    cluster: string,
    service: ProviderService,
    nodes: ProviderNode[],
  ): Promise<LoadBalancerStatus> {
    const name = this.getLoadBalancerName(cluster, service);
    this.calls.push(`ensure ${name}`);
    this.fail('ensure');
    this.balancers.set(name, { hosts: hostNames(nodes), service });
    return Promise.resolve({ ingress: [{ ip: this.ip, ipMode: 'VIP' }] });
  }

  updateLoadBalancer(cluster: string, service: ProviderService, nodes: ProviderNode[]) {
    const name = this.getLoadBalancerName(cluster, service);
    this.calls.push(`update ${name} [${hostNames(nodes).join(' ')}]`);
    this.fail('update');
    const lb = this.balancers.get(name);
    if (!lb) {
      return Promise.reject(new Error(`load balancer ${name} not found`));
    }
    lb.hosts = hostNames(nodes);
    return Promise.resolve();
  }

  ensureLoadBalancerDeleted(cluster: string, service: ProviderService): Promise<void> {
    const name = this.getLoadBalancerName(cluster, service);
    this.calls.push(`delete ${name}`);
    this.fail('delete');
    this.balancers.delete(name);
    return Promise.resolve();
  }
}

function hostNames(nodes: ProviderNode[]): string[] {
  return nodes.map((n) => n.metadata?.name ?? '').sort();
}

/** Applies the controller's writes to the fake informer, as the api-server + watch would. */
export class FakeServiceWriter implements ServiceWriter {
  readonly writes: string[] = [];

  constructor(
    private readonly services: FakeInformer<Service>,
    private readonly log: string[],
  ) {}

  patchFinalizers(service: Service, finalizers: string[]): Promise<void> {
    const key = `${service.metadata?.namespace}/${service.metadata?.name}`;
    this.log.push(`finalizers ${key} [${finalizers.join(' ')}]`);
    const current = this.services.get(key);
    if (!current) {
      return Promise.reject(Object.assign(new Error('not found'), { code: 404 }));
    }
    const deleting = current.metadata?.deletionTimestamp !== undefined;
    if (deleting && finalizers.length === 0) {
      this.services.delete(current);
    } else {
      this.services.update({ ...current, metadata: { ...current.metadata, finalizers } });
    }
    return Promise.resolve();
  }

  patchLoadBalancerStatus(service: Service, ingress: LoadBalancerIngress[]): Promise<void> {
    const key = `${service.metadata?.namespace}/${service.metadata?.name}`;
    this.log.push(`status ${key} [${ingress.map((i) => i.ip).join(' ')}]`);
    const current = this.services.get(key);
    if (!current) {
      return Promise.reject(Object.assign(new Error('not found'), { code: 404 }));
    }
    this.services.update({ ...current, status: { ...current.status, loadBalancer: { ingress } } });
    return Promise.resolve();
  }

  patchConditions(
    service: Service,
    conditions: readonly ServiceCondition[],
    removeTypes: readonly string[] = [],
  ): Promise<void> {
    const key = `${service.metadata?.namespace}/${service.metadata?.name}`;
    const summary = conditions.map((c) => `${c.type}=${c.status}/${c.reason}`);
    this.log.push(
      `conditions ${key} [${[...summary, ...removeTypes.map((t) => `-${t}`)].join(' ')}]`,
    );
    const current = this.services.get(key);
    if (!current) {
      return Promise.reject(Object.assign(new Error('not found'), { code: 404 }));
    }
    const types = new Set([...conditions.map((c) => c.type), ...removeTypes]);
    const kept = (current.status?.conditions ?? []).filter((c) => !types.has(c.type));
    this.services.update({
      ...current,
      status: { ...current.status, conditions: [...kept, ...conditions] as never },
    });
    return Promise.resolve();
  }
}

export interface RecordedEvent {
  type: string;
  reason: string;
  message: string;
  name?: string;
  kind?: string;
}

/** Captures events as the recorder would emit them. */
export class RecordingRecorder {
  readonly events: RecordedEvent[] = [];

  event(object: ObjectReference, type: string, reason: string, message: string): void {
    this.events.push({ type, reason, message, name: object.name, kind: object.kind });
  }

  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
}

let uidSeq = 0;

export function lbService(name: string, overrides: Partial<Service['spec']> = {}): Service {
  uidSeq++;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'default',
      uid: `00000000-0000-0000-0000-${String(uidSeq).padStart(12, '0')}`,
      resourceVersion: '1',
    },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
      externalTrafficPolicy: 'Cluster',
      ...overrides,
    },
    status: { loadBalancer: {} },
  };
}

export function node(
  name: string,
  options: { labels?: Record<string, string>; ready?: boolean; taints?: string[] } = {},
): Node {
  return {
    metadata: { name, uid: `uid-${name}`, labels: options.labels },
    spec: {
      providerID: `nimbus://${name}`,
      taints: (options.taints ?? []).map((key) => ({ key, effect: 'NoSchedule' })),
    },
    status: {
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
    },
  };
}
