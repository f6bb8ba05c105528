import type { Probe } from '@app/kube-client';

/**
 * The text after "Readiness probe failed: " / "Liveness probe failed: " for a failing probe, as
 * each prober reports it (pkg/kubelet/prober): HTTP status, refused TCP dial, exec output
 * (empty), gRPC health status.
 */
export function probeFailureMessage(probe: Probe, podIp: string | undefined): string {
  if (probe.httpGet) {
    return 'HTTP probe failed with statuscode: 503';
  }
  if (probe.tcpSocket) {
    return `dial tcp ${podIp ?? ''}:${String(probe.tcpSocket.port)}: connect: connection refused`;
  }
  if (probe.grpc) {
    return 'service unhealthy (responded with "NOT_SERVING")';
  }
  return '';
}
