import {
  Controller,
  isDeletedFinalStateUnknown,
  type Logger,
  type RateLimiter,
  type RetryPolicy,
  type Scheduler,
} from '@app/controller-runtime';
import type { InformerAdapter, PodObject, ServiceObject } from '@app/kube-client';

export interface ServiceWatchDeps {
  services: InformerAdapter<ServiceObject>;
  pods: InformerAdapter<PodObject>;
  scheduler: Scheduler;
  logger: Logger;
}

/**
 * The watch plumbing the Endpoints and EndpointSlice controllers share (upstream's
 * addPod/updatePod/deletePod → getPodServiceMemberships): a Service is synced when it changes
 * and whenever a pod its selector picks (before or after the change) does.
 */
export function serviceController(
  name: string,
  deps: ServiceWatchDeps,
  reconcile: (key: string) => Promise<void>,
  retryPolicy: RetryPolicy,
  rateLimiter?: RateLimiter<string>,
): Controller {
  const controller = new Controller({
    name,
    retryPolicy,
    rateLimiter,
    queueName: name.replace(/-controller$/, ''),
    scheduler: deps.scheduler,
    logger: deps.logger,
    workers: 5,
    reconcile,
    waitFor: [deps.pods],
  });
  controller.watch(deps.services, {
    update: (a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion,
  });
  const membership = (pod: PodObject) => {
    const labels = pod.metadata?.labels ?? {};
    for (const svc of deps.services.list()) {
      const selector = svc.spec?.selector;
      if (
        svc.metadata?.namespace === pod.metadata?.namespace &&
        selector &&
        Object.keys(selector).length > 0 &&
        Object.entries(selector).every(([k, v]) => labels[k] === v)
      ) {
        controller.enqueue(svc);
      }
    }
  };
  deps.pods.addEventHandler({
    onAdd: membership,
    onUpdate: (a, b) => {
      if (a.metadata?.resourceVersion === b.metadata?.resourceVersion) {
        return;
      }
      membership(b);
      if (JSON.stringify(a.metadata?.labels) !== JSON.stringify(b.metadata?.labels)) {
        membership(a);
      }
    },
    onDelete: (obj) => membership(isDeletedFinalStateUnknown(obj) ? obj.obj : obj),
  });
  return controller;
}
