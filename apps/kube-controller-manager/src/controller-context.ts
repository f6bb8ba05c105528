import type { Registry } from 'prom-client';
import type { Clock } from '@app/common';
import type { ControllerDescriptor as GenericDescriptor } from '@app/controller-manager';
import type { EventRecorder, Indexer, Logger, Scheduler } from '@app/controller-runtime';
import type { KubeRest, PodObject, SharedInformers } from '@app/kube-client';
import type { KcmSettings } from './settings';

/** Everything a controller's init function may use (upstream's ControllerContext). */
export interface ControllerContext {
  settings: KcmSettings;
  informers: SharedInformers;
  /** The shared pod informer indexed by `spec.nodeName` (upstream's nodeNameKeyIndex). */
  podsByNode(): Indexer<PodObject>;
  /** The shared pod informer indexed by namespace (upstream's podLister.Pods(ns)). */
  podsByNamespace(): Indexer<PodObject>;
  /** The shared pod informer indexed by controller uid, orphans by namespace (`pods-by-owner.ts`). */
  podsByControllerUid(): Indexer<PodObject>;
  rest: KubeRest;
  /** A recorder with `source.component` = `component` (e.g. `node-controller`). */
  eventRecorder(component: string): EventRecorder;
  /** Work queues, retries and periodic plumbing (real-time timers; `now()` is the clock). */
  scheduler: Scheduler;
  /**
   * Timers due at an instant of the cluster clock (grace periods, tolerations, quarantines):
   * they fire as soon as the clock gets there, also when someone advances it.
   */
  clockScheduler: Scheduler;
  clock: Clock;
  /** The cluster CA (PEM) for `kube-root-ca.crt`. */
  rootCa: string;
  logger: Logger;
  registry: Registry;
}

/** One kube-controller-manager controller; adding one = adding its descriptor to CONTROLLERS. */
export type ControllerDescriptor = GenericDescriptor<ControllerContext, KcmSettings>;
