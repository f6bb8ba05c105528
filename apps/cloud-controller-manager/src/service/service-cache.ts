import type { Node, Service } from './service-types';

/**
 * What the controller remembers per service key: the Service as last synced (upstream's
 * serviceCache, needed for deletions without a finalizer and for host updates) and the node set
 * last handed to the cloud (lastSyncedNodes).
 */
export class ServiceCache {
  private readonly services = new Map<string, Service>();
  private readonly syncedNodes = new Map<string, readonly Node[]>();

  get(key: string): Service | undefined {
    return this.services.get(key);
  }

  set(key: string, service: Service): void {
    this.services.set(key, service);
  }

  delete(key: string): void {
    this.services.delete(key);
    this.syncedNodes.delete(key);
  }

  entries(): [string, Service][] {
    return [...this.services.entries()];
  }

  lastSyncedNodes(key: string): readonly Node[] {
    return this.syncedNodes.get(key) ?? [];
  }

  storeLastSyncedNodes(key: string, nodes: readonly Node[]): void {
    this.syncedNodes.set(key, nodes);
  }
}
