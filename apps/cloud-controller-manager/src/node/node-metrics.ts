import { Histogram, type Registry } from 'prom-client';

/** controllers/node/metrics.go (optional parity). */
export class NodeControllerMetrics {
  readonly taintRemovalDelay: Histogram;
  readonly initialNodeSyncDelay: Histogram;

  constructor(registry: Registry) {
    const existing = (name: string) => registry.getSingleMetric(name) as Histogram | undefined;
    this.taintRemovalDelay =
      existing('node_controller_cloud_provider_taint_removal_delay_seconds') ??
      new Histogram({
        name: 'node_controller_cloud_provider_taint_removal_delay_seconds',
        help: 'Number of seconds after node creation when NodeController removed the cloud-provider taint of a single node.',
        buckets: [1, 4, 16, 64, 256, 1024],
        registers: [registry],
      });
    this.initialNodeSyncDelay =
      existing('node_controller_initial_node_sync_delay_seconds') ??
      new Histogram({
        name: 'node_controller_initial_node_sync_delay_seconds',
        help: 'Number of seconds after node creation when NodeController finished the initial synchronization of a single node.',
        buckets: [1, 4, 16, 64, 256, 1024],
        registers: [registry],
      });
  }
}
