import { Controller, type Logger, type Scheduler } from '@app/controller-runtime';
import {
  isConflict,
  type InformerAdapter,
  type KubeRest,
  type NamespaceObject,
  type ServiceAccountObject,
} from '@app/kube-client';

/** upstream DefaultServiceAccountsControllerOptions: the accounts every namespace gets. */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

/**
 * upstream pkg/controller/serviceaccount ServiceAccountsController (`serviceaccount-controller`):
 * every active namespace has the ServiceAccount `default`; it is created again when deleted.
 * No token Secrets (LegacyServiceAccountTokenNoAutoGeneration is GA).
 */
export class ServiceAccountsController {
  private readonly controller: Controller;

  constructor(
    private readonly deps: {
      rest: KubeRest;
      namespaces: InformerAdapter<NamespaceObject>;
      serviceAccounts: InformerAdapter<ServiceAccountObject>;
      scheduler: Scheduler;
      logger: Logger;
    },
  ) {
    this.controller = new Controller({
      name: 'serviceaccount-controller',
      queueName: 'serviceaccount',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (namespace) => this.syncNamespace(namespace),
    });
    this.controller.watch(deps.namespaces, { delete: false });
    deps.serviceAccounts.addEventHandler({
      onDelete: (sa) => {
        const obj = 'obj' in sa ? sa.obj : sa;
        if (DEFAULT_SERVICE_ACCOUNTS.includes(obj.metadata?.name ?? '')) {
          this.controller.enqueueKey(obj.metadata?.namespace ?? '');
        }
      },
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  private async syncNamespace(name: string): Promise<void> {
    const ns = this.deps.namespaces.get(name);
    if (!ns || ns.status?.phase !== 'Active') {
      return;
    }
    for (const sa of DEFAULT_SERVICE_ACCOUNTS) {
      if (this.deps.serviceAccounts.get(`${name}/${sa}`)) {
        continue;
      }
      try {
        await this.deps.rest.create(
          `/api/v1/namespaces/${encodeURIComponent(name)}/serviceaccounts`,
          { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa } },
        );
      } catch (err) {
        // AlreadyExists (a stale cache) is fine; a terminating namespace answers 403: skip it.
        if (isConflict(err) || (err as { code?: number }).code === 403) {
          continue;
        }
        throw err;
      }
    }
  }
}
