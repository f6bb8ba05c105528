import type { NimbusUpConfig } from '@app/config';
import type { RunningNimbus } from './start-nimbus-up';
import type { NodeReadiness } from './wait-for-nodes';

const pad = (text: string, width: number) => text.padEnd(width);

/** The line `nimbus up` prints when a component is up. */
export function componentLine(component: string, nimbus: Partial<RunningNimbus>): string {
  const detail: Record<string, () => string> = {
    'cloud API': () => `${nimbus.cloud?.url}   (Swagger UI at /docs)`,
    'kube-apiserver': () => `${nimbus.apiserver?.url}`,
    'kube-controller-manager': () =>
      `leader on kube-system/kube-controller-manager${
        nimbus.controllerManager?.healthUrl ? `, ${nimbus.controllerManager.healthUrl}/healthz` : ''
      }`,
    'kube-scheduler': () =>
      `leader on kube-system/kube-scheduler${
        nimbus.scheduler?.healthUrl ? `, ${nimbus.scheduler.healthUrl}/healthz` : ''
      }`,
    'cloud-controller-manager': () =>
      `leader on kube-system/cloud-controller-manager${
        nimbus.ccm?.healthUrl ? `, ${nimbus.ccm.healthUrl}/healthz` : ''
      }`,
    kubelet: () => 'simulated kubelets for the running instances labelled nimbus.dev/cluster',
    'kube-proxy': () => {
      const port = nimbus.proxy?.healthzPort();
      return `NodePorts and health on <node address>:${port ?? 'any free port'}/healthz`;
    },
  };
  return `  ✓ ${pad(component, 26)}${detail[component]?.() ?? ''}\n`;
}

/** The line printed when a worker node is Ready and initialised. */
export function nodeLine(node: NodeReadiness): string {
  return `  ✓ ${pad(node.name, 12)} Ready   ${pad(node.zone ?? '', 10)} ${pad(node.internalIp ?? '', 12)} pods ${node.podCidr ?? ''}\n`;
}

/** Where everything is, the token, and what to try next. */
export function upBanner(nimbus: RunningNimbus, config: NimbusUpConfig): string {
  const { token, adminToken } = nimbus.cloud.generatedTokens;
  const tokenLine = token
    ? `${token}   (generated now and shown once; fix it with NIMBUS_TOKEN)`
    : config.token
      ? '$NIMBUS_TOKEN'
      : 'generated at the first start (shown once then); set NIMBUS_TOKEN to fix one';
  const shownToken = token ?? (config.token ? '$NIMBUS_TOKEN' : '<your token>');
  const kubeconfig = nimbus.kubeconfigPath;
  const cloudUrl = nimbus.cloud.url;
  const k = `kubectl --kubeconfig ${kubeconfig}`;
  const caFile = nimbus.cloud.tls?.caFile;
  const caLine = caFile ? `\n  cloud CA:       ${caFile}   (curl --cacert, --cloud-ca-file)` : '';
  const curl = `curl -s${caFile ? ` --cacert ${caFile}` : ''}`;
  const auth = `-H "Authorization: Bearer ${shownToken}"`;
  return `
Nimbus is up: a cloud and a Kubernetes 1.32 cluster on it (simulated nodes, no containers)
  cloud API:      ${cloudUrl}   Swagger UI: ${cloudUrl}/docs${caLine}
  token:          ${tokenLine}${
    adminToken
      ? `\n  admin token:    ${adminToken}   (clock, faults, reset: docs/ci-tools.md; fix it with NIMBUS_ADMIN_TOKEN)`
      : ''
  }
  kube-apiserver: ${nimbus.apiserver.url}
  kubeconfig:     ${kubeconfig}
  data:           ${config.dataDir}   (restarts keep the cluster; --fresh starts over)
  clock:          the cluster follows the cloud's clock (POST ${cloudUrl}/admin/clock moves it)

Try it:
  export KUBECONFIG=${kubeconfig}
  kubectl get nodes -o wide
  kubectl run web --image=nginx:1.27 --port=80
  kubectl get pods -o wide            # scheduled, Running, with an IP from its node's pod CIDR
  kubectl expose pod web --type=LoadBalancer
  curl $(nimbus lb-address web --data-dir ${config.dataDir})   # cloud LB → kube-proxy → the pod

  # stop a worker's instance and watch its node go NotReady (50 s later; taints, pods not Ready)
  ID=$(${curl} ${auth} '${cloudUrl}/v1/instances?name=worker-2' | jq -r '.items[0].id')
  ${curl} -X POST ${auth} ${cloudUrl}/v1/instances/$ID/stop
  ${k} get nodes -w

  # grow the cluster: a new instance with the cluster label joins as a node
  ${curl} -X POST ${cloudUrl}/v1/instances ${auth} -H 'Content-Type: application/json' \\
    -d '{"name":"worker-4","zone":"nimbus-1a","instanceType":"${config.workerType}","labels":{"nimbus.dev/cluster":"${config.clusterName}"}}'

Ctrl-C stops everything.

`;
}
