/** The service controller's event source component (the "From" column of kubectl describe). */
export const SERVICE_CONTROLLER_COMPONENT = 'service-controller';

/** Event reasons and messages, exactly as k8s.io/cloud-provider controllers/service writes them. */
export const ServiceEvents = {
  ensuring: { reason: 'EnsuringLoadBalancer', message: 'Ensuring load balancer' },
  ensured: { reason: 'EnsuredLoadBalancer', message: 'Ensured load balancer' },
  deleting: { reason: 'DeletingLoadBalancer', message: 'Deleting load balancer' },
  deleted: { reason: 'DeletedLoadBalancer', message: 'Deleted load balancer' },
  updated: { reason: 'UpdatedLoadBalancer', message: 'Updated load balancer with new hosts' },
  unavailable: {
    reason: 'UnAvailableLoadBalancer',
    message: 'There are no available nodes for LoadBalancer',
  },
  syncFailed: {
    reason: 'SyncLoadBalancerFailed',
    message: (err: string) => `Error syncing load balancer: ${err}`,
  },
  deleteFailed: {
    reason: 'DeleteLoadBalancerFailed',
    message: (err: string) => `Error deleting load balancer: ${err}`,
  },
  updateFailed: {
    reason: 'UpdateLoadBalancerFailed',
    message: (names: string, total: number, err: string) =>
      `Error updating load balancer with new hosts ${names} [node names limited, total number of nodes: ${total}], error: ${err}`,
  },
} as const;
