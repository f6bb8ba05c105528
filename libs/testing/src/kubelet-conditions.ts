/** A node condition as the kubelet posts it (the fields tests need). */
export interface KubeletCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastHeartbeatTime: Date | string;
  lastTransitionTime: Date | string;
}

/** Why a kubelet reports NotReady before the CNI runs (kind, minikube right after creation). */
export const CNI_NOT_READY_MESSAGE =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

/**
 * The four conditions a v1.32 kubelet posts, with upstream's reasons and messages
 * (pkg/kubelet/nodestatus/setters.go): no memory, disk or PID pressure, and Ready — or NotReady
 * because the pod network is not up yet.
 */
export function kubeletConditions(ready: boolean, now: Date | string): KubeletCondition[] {
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return [
    condition(
      'MemoryPressure',
      'False',
      'KubeletHasSufficientMemory',
      'kubelet has sufficient memory available',
    ),
    condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    condition(
      'PIDPressure',
      'False',
      'KubeletHasSufficientPID',
      'kubelet has sufficient PID available',
    ),
    ready
      ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
      : condition('Ready', 'False', 'KubeletNotReady', CNI_NOT_READY_MESSAGE),
  ];
}
