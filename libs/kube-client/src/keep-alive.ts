import type { Agent } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

type AgentFactory = (cluster: { name?: string; server?: string } | null, options: object) => Agent;

/**
 * client-node 1.4 builds a new https.Agent for every request, so every call pays a TLS handshake
 * (~10 ms of CPU against the built-in api-server). This makes `kc` reuse one keep-alive agent per
 * cluster and credentials, as client-go's shared transport does. Idle pooled sockets are unref'd
 * by Node, so they never keep a process alive.
 */
export function withKeepAlive(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as { createAgent: AgentFactory };
  const create = target.createAgent.bind(kc);
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, options) => {
    const { cert, key } = options as { cert?: unknown; key?: unknown };
    const id = [cluster?.name, cluster?.server, credential(cert), credential(key)].join('|');
    let agent = agents.get(id);
    if (!agent) {
      agent = create(cluster, { ...options, keepAlive: true });
      agents.set(id, agent);
    }
    return agent;
  };
  return kc;
}

/** Client certificates come as strings or Buffers; either identifies the credentials. */
function credential(value: unknown): string {
  if (Buffer.isBuffer(value)) {
    return value.toString('base64');
  }
  return typeof value === 'string' ? value : '';
}
