import { parseDuration } from '@app/common';
import { ConfigError, type KubeletConfig } from '@app/config';

/** The kubelet config with durations in milliseconds. */
export interface KubeletSettings {
  clusterName: string;
  nodeStatusUpdateFrequencyMs: number;
  nodeStatusReportFrequencyMs: number;
  nodeLeaseDurationSeconds: number;
  maxPods: number;
  nodeLabels: Record<string, string>;
  imagePullDurationMs: number;
  containerStopDurationMs: number;
}

/**
 * The bound on the kubelet's heartbeat calls (node lease, node status), as upstream's heartbeat
 * client: `Timeout = NodeStatusUpdateFrequency`, at most `NodeLeaseDurationSeconds`
 * (cmd/kubelet/app/server.go): a renewal that hangs must not stall the next one.
 */
export function heartbeatTimeoutMs(settings: KubeletSettings): number {
  return Math.min(settings.nodeStatusUpdateFrequencyMs, settings.nodeLeaseDurationSeconds * 1000);
}

/** Labels a kubelet may not set on its own Node (NodeRestriction; kubelet refuses them too). */
const FORBIDDEN_LABEL = /^(node-role\.kubernetes\.io\/|.*\.node-restriction\.kubernetes\.io\/)/;

export function settingsOf(config: KubeletConfig): KubeletSettings {
  return {
    clusterName: config.clusterName,
    nodeStatusUpdateFrequencyMs: parseDuration(
      config.nodeStatusUpdateFrequency,
      '--node-status-update-frequency',
    ),
    nodeStatusReportFrequencyMs: parseDuration(
      config.nodeStatusReportFrequency,
      '--node-status-report-frequency',
    ),
    nodeLeaseDurationSeconds: config.nodeLeaseDurationSeconds,
    maxPods: config.maxPods,
    nodeLabels: parseNodeLabels(config.nodeLabels),
    imagePullDurationMs: parseDuration(config.imagePullDuration, '--image-pull-duration'),
    containerStopDurationMs: parseDuration(
      config.containerStopDuration,
      '--container-stop-duration',
    ),
  };
}

/** `--node-labels=a=b,c=d`. */
export function parseNodeLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError(`--node-labels: "${part}" is not key=value`);
    }
    const key = part.slice(0, eq);
    if (FORBIDDEN_LABEL.test(key)) {
      throw new ConfigError(
        `--node-labels: "${key}" is not allowed (kubelets may not set node-role labels on themselves)`,
      );
    }
    labels[key] = part.slice(eq + 1);
  }
  return labels;
}
