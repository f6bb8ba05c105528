import type { CloudProvider, LoadBalancer } from '@app/cloud-provider';

type Method = 'ensureLoadBalancer' | 'updateLoadBalancer';

/**
 * Wraps a CloudProvider so a test can make load-balancer calls fail (the cloud API has no
 * admin fault injection yet). Everything else goes to the real provider.
 */
export class FaultyCloud implements CloudProvider {
  private readonly failures: Partial<Record<Method, Error>> = {};

  constructor(private readonly inner: CloudProvider) {}

  /** Every call of `method` fails with `error` until `clear`. */
  fail(method: Method, error: Error): void {
    this.failures[method] = error;
  }

  clear(method: Method): void {
    delete this.failures[method];
  }

  providerName(): string {
    return this.inner.providerName();
  }

  async initialize(): Promise<void> {
    await this.inner.initialize?.();
  }

  instancesV2() {
    return this.inner.instancesV2();
  }

  routes() {
    return this.inner.routes();
  }

  zones() {
    return this.inner.zones();
  }

  hasClusterID(): boolean {
    return this.inner.hasClusterID();
  }

  loadBalancer(): LoadBalancer | undefined {
    const lb = this.inner.loadBalancer();
    if (!lb) {
      return undefined;
    }
    const fail = (method: Method) => {
      const error = this.failures[method];
      if (error) {
        throw error;
      }
    };
    return {
      getLoadBalancer: (c, s) => lb.getLoadBalancer(c, s),
      getLoadBalancerName: (c, s) => lb.getLoadBalancerName(c, s),
      ensureLoadBalancerDeleted: (c, s) => lb.ensureLoadBalancerDeleted(c, s),
      ensureLoadBalancer: async (c, s, n) => {
        fail('ensureLoadBalancer');
        return lb.ensureLoadBalancer(c, s, n);
      },
      updateLoadBalancer: async (c, s, n) => {
        fail('updateLoadBalancer');
        return lb.updateLoadBalancer(c, s, n);
      },
    };
  }
}
