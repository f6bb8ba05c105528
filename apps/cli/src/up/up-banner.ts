import type { NimbusUpConfig } from '@app/config';
import type { RunningNimbus } from './start-nimbus-up';

/** What `nimbus up` prints: where everything is, the token, and what to try next. */
export function upBanner(nimbus: RunningNimbus, config: NimbusUpConfig): string {
  const { token } = nimbus.cloud.generatedTokens;
  const tokenLine = token
    ? `${token}   (generated now and shown once; fix it with NIMBUS_TOKEN)`
    : config.token
      ? '$NIMBUS_TOKEN'
      : 'generated at the first start (shown once then); set NIMBUS_TOKEN to fix one';
  const shownToken = token ?? (config.token ? '$NIMBUS_TOKEN' : '<your token>');
  const kubeconfig = nimbus.kubeconfigPath;
  const cloudUrl = nimbus.cloud.url;
  const caFile = nimbus.cloud.tls?.caFile;
  const caLine = caFile
    ? `\n  cloud CA:          ${caFile}   (curl --cacert, --cloud-ca-file)`
    : '';
  return `
Nimbus is up
  cloud API:         ${cloudUrl}${caLine}
  Swagger UI:        ${cloudUrl}/docs   (Authorize with the token below)
  token:             ${tokenLine}
  kube-apiserver:    ${nimbus.apiserver.url}
  kubeconfig:        ${kubeconfig}
  ccm:               leader election on kube-system/cloud-controller-manager${
    nimbus.ccm.healthUrl ? `, ${nimbus.ccm.healthUrl}/healthz and /metrics` : ''
  }
  data:              ${config.dataDir}   (delete it to start over)

Try it:
  # 1. an instance in the cloud
  curl -s${caFile ? ` --cacert ${caFile}` : ''} -X POST ${cloudUrl}/v1/instances \\
    -H "Authorization: Bearer ${shownToken}" -H 'Content-Type: application/json' \\
    -d '{"name":"worker-1","zone":"nimbus-1a","instanceType":"nb.small"}'

  # 2. register its Node by hand, tainted like a kubelet with --cloud-provider=external
  kubectl --kubeconfig ${kubeconfig} apply -f - <<'YAML'
apiVersion: v1
kind: Node
metadata:
  name: worker-1
spec:
  taints:
    - key: node.cloudprovider.kubernetes.io/uninitialized
      value: "true"
      effect: NoSchedule
YAML

  # 3. watch the CCM initialise it: providerID, zone/region/instance-type labels, addresses, taint gone
  kubectl --kubeconfig ${kubeconfig} get node worker-1 -o yaml
  kubectl --kubeconfig ${kubeconfig} get events -A   # Synced, from cloud-node-controller

Ctrl-C stops everything.

`;
}
