/**
 * The paths the benchmark measures, each against the direct path to the backend in the same run.
 * The cloud load balancer is always there; `startKubeProxyPath` adds client → cloud LB →
 * kube-proxy NodePort → pod on a `nimbus up` cluster of its own.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startProcess } from '../shared/child-process';
import { hostAddressOf, profileFlags } from './host';

export interface BenchPath {
  name: string;
  /** e.g. `http://127.203.113.7:80` */
  baseUrl: string;
  stop?: () => Promise<void>;
  /** The process that proxies this path (its CPU per request and per MB is measured). */
  pid?: number;
  /** That process's CPU µs per ms without traffic (set by the bench before it measures). */
  idleCpuPerMs?: number;
}

const run = promisify(execFile);
const TOKEN = 'bench-kube-proxy-token-0123456789';

/**
 * LB → kube-proxy → pod: `nimbus up` (from dist/) with one worker, the benchmark's own backend
 * process as the pod (listening at a pod address of worker-1's range, so the three paths share
 * one server program), a selector-less LoadBalancer Service with a hand-written EndpointSlice
 * naming it, and the path through the Service's cloud load balancer, its NodePort on worker-1
 * (kube-proxy) and the endpoint.
 */
export async function startKubeProxyPath(): Promise<BenchPath | undefined> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-kube-proxy-'));
  const second = 150 + Math.floor(Math.random() * 50);
  const children: ChildProcess[] = [];
  const stop = () => {
    children.forEach((c) => c.kill('SIGTERM'));
    rmSync(dataDir, { recursive: true, force: true });
    return Promise.resolve();
  };
  try {
    const up = await startProcess(
      'node',
      [
        ...profileFlags(),
        'bin/nimbus.js',
        'up',
        ...['--data-dir', dataDir, '--workers', '1', '--token', TOKEN],
        ...['--cloud-port', '0', '--apiserver-port', '0', '--ccm-port', '-1'],
        ...['--controller-manager-port', '-1', '--scheduler-port', '-1'],
        ...['--proxy-healthz-port', '0', '--proxy-metrics-port', '-1', '--transition-ms', '0'],
        ...['--cluster-cidr', `10.${second}.0.0/16`, '--log-level', 'warn'],
        // A pool of its own: another `nimbus up` on this machine answers on 127.203.113.x.
        ...['--lb-ipv4-pool', `203.1.${second}.0/24`],
      ],
      /cloud API:\s+(http\S+)[\s\S]*Try it:/,
    );
    children.push(up.child);
    const cloudUrl = up.match[1];
    const kubeconfig = join(dataDir, 'kubeconfig');
    const podIp = `10.${second}.250.2`;
    const backend = await startProcess(
      'node',
      [
        '-r',
        'ts-node/register/transpile-only',
        'bench/dataplane/backend.ts',
        hostAddressOf(podIp)!,
        '0',
      ],
      /ready (\d+)/,
    );
    children.push(backend.child);
    const podPort = Number(backend.match[1]);
    const manifest = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'bench' },
          spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: podPort }] },
        },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'bench-1', labels: { 'kubernetes.io/service-name': 'bench' } },
          addressType: 'IPv4',
          ports: [{ name: '', port: podPort, protocol: 'TCP' }],
          endpoints: [{ addresses: [podIp], conditions: { ready: true }, nodeName: 'worker-1' }],
        },
      ],
    };
    const kubectl = execFile('kubectl', ['--kubeconfig', kubeconfig, 'apply', '-f', '-']);
    kubectl.stdin!.end(JSON.stringify(manifest));
    await new Promise<void>((resolve, reject) =>
      kubectl.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`kubectl apply exited with ${code}`)),
      ),
    );
    const { stdout } = await run('node', [
      'bin/nimbus.js',
      'lb-address',
      'bench',
      ...['--data-dir', dataDir, '--cloud-url', cloudUrl, '--token', TOKEN, '--wait', '120s'],
    ]);
    const baseUrl = `http://${stdout.trim()}`;
    // Serving once the LB's health check found the node's NodePort open.
    for (let i = 0; ; i++) {
      const ok = await fetch(`${baseUrl}/small`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) {
        break;
      }
      if (i > 600) {
        throw new Error(`${baseUrl}/small never answered`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return { name: 'through the LB → kube-proxy → pod', baseUrl, stop, pid: up.child.pid };
  } catch (error) {
    await stop();
    throw error;
  }
}
