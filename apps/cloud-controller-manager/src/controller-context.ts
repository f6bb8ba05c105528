import type { Registry } from 'prom-client';
import type { CloudProvider } from '@app/cloud-provider';
import type { EventRecorder, Logger, Scheduler } from '@app/controller-runtime';
import type { InformerFactory, KubeClient } from '@app/kube-client';
import type { CcmSettings } from './settings';

/** Everything a controller's init function may use (upstream's ControllerInitContext + context). */
export interface ControllerContext {
  settings: CcmSettings;
  cloud: CloudProvider;
  informers: InformerFactory;
  kube: KubeClient;
  /** A recorder with `source.component` = `component` (e.g. `cloud-node-controller`). */
  eventRecorder(component: string): EventRecorder;
  scheduler: Scheduler;
  logger: Logger;
  registry: Registry;
  /** This process's leader-election identity, `<hostname>_<uuid>` (external-provisioner's id). */
  identity: string;
}

/** A started controller; `stop` drains work in flight. */
export interface RunningController {
  stop(): Promise<void>;
}

/**
 * One controller as `--controllers` knows it. `init` builds it (registering informer handlers)
 * and returns something to `start` once informers run, or a reason why it is skipped
 * (missing cloud capability, `--configure-cloud-routes=false`, …; logged, not fatal).
 */
export interface ControllerDescriptor {
  /** The alias `--controllers` uses: `cloud-node`, `cloud-node-lifecycle`, `service`, `route`. */
  name: string;
  /** The upstream full name: `cloud-node-controller`, `node-route-controller`, … */
  fullName: string;
  /** Checked before anything starts; throw a ConfigError to refuse to start (invalid CIDR). */
  validate?(settings: CcmSettings): void;
  init(ctx: ControllerContext): InitResult;
}

export type InitResult = { start(): Promise<RunningController> } | { skipped: string };
