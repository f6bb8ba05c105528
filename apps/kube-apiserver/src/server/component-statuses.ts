import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KubeError } from '../errors/kube-error';
import type { KubeObject } from '../object/types';
import type { ProbedSource } from './probed-source';

/** Where the scheduler and the controller-manager answer `/healthz`. */
export interface ComponentStatusTargets {
  scheduler: string;
  controllerManager: string;
}

/**
 * Upstream probes these fixed local ports (the components' default `--secure-port`s) whatever
 * the cluster runs; Nimbus's components serve them over plain HTTP.
 */
export const DEFAULT_COMPONENT_STATUS_TARGETS: ComponentStatusTargets = {
  scheduler: 'http://127.0.0.1:10259/healthz',
  controllerManager: 'http://127.0.0.1:10257/healthz',
};

/** componentstatus' probeTimeOut. */
const PROBE_TIMEOUT_MS = 20_000;
/** The HTTP prober reads at most this much of a body (maxRespBodyLength). */
const MAX_BODY_BYTES = 10 * 1024;

interface ProbeResult {
  status: 'True' | 'False';
  message: string;
  error?: string;
}

/**
 * v1 ComponentStatus, as the deprecated REST of pkg/registry/core/componentstatus computes it on
 * each GET: an HTTP probe of each component's `/healthz` (its body is the message; a refused
 * connection is an Unhealthy row whose message is the Go error) and the storage's health as
 * `etcd-0` (Nimbus's store is SQLite; its failure is the error).
 */
export class ComponentStatuses implements ProbedSource {
  constructor(
    private readonly targets: ComponentStatusTargets,
    private readonly storageFailure: () => Error | undefined,
  ) {}

  async list(): Promise<KubeObject[]> {
    const names = ['controller-manager', 'scheduler', 'etcd-0'];
    return Promise.all(names.map((name) => this.get('', name)));
  }

  async get(_namespace: string, name: string): Promise<KubeObject> {
    let result: ProbeResult;
    if (name === 'scheduler') {
      result = await probeHttp(this.targets.scheduler);
    } else if (name === 'controller-manager') {
      result = await probeHttp(this.targets.controllerManager);
    } else if (name === 'etcd-0') {
      const failure = this.storageFailure();
      result = failure
        ? { status: 'False', message: '', error: failure.message }
        : { status: 'True', message: 'ok' };
    } else {
      // Upstream's Get returns a plain error, which the api-server answers as a 500 of no reason.
      throw new KubeError(500, '', `Component not found: ${name}`);
    }
    const condition: Record<string, string> = { type: 'Healthy', ...result };
    return {
      kind: 'ComponentStatus',
      apiVersion: 'v1',
      metadata: { name, creationTimestamp: null },
      conditions: [condition],
    };
  }
}

/**
 * pkg/probe/http: 2xx is healthy with the body as message; a 3xx (a redirect it stopped on) is a
 * Warning, shown Unhealthy; any other status or a failed connection is Unhealthy with the reason.
 * One timer bounds the whole exchange (Go's Client.Timeout); at most 10 KiB of body is read.
 */
function probeHttp(url: string): Promise<ProbeResult> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolveOnce) => {
    let settled = false;
    const resolve = (result: ProbeResult) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolveOnce(result);
      }
    };
    const fail = (reason: string) =>
      resolve({ status: 'False', message: `Get "${url}": ${reason}` });
    const timer = setTimeout(
      () => fail('context deadline exceeded (Client.Timeout exceeded while awaiting headers)'),
      PROBE_TIMEOUT_MS,
    );
    const req = send(
      url,
      { headers: { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' }, rejectUnauthorized: false },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let length = 0;
        const answered = () => {
          const code = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
          if (code >= 200 && code < 300) {
            resolve({ status: 'True', message: body });
          } else if (code >= 300 && code < 400) {
            resolve({
              status: 'False',
              message: `Probe terminated redirects, Response body: ${body}`,
            });
          } else {
            resolve({ status: 'False', message: `HTTP probe failed with statuscode: ${code}` });
          }
        };
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          length += chunk.length;
          if (length >= MAX_BODY_BYTES) {
            answered();
          }
        });
        res.on('error', (err) => fail(err.message));
        res.on('end', answered);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      const { hostname, port } = new URL(url);
      const dial = `dial tcp ${hostname}:${port || (url.startsWith('https:') ? 443 : 80)}`;
      fail(err.code === 'ECONNREFUSED' ? `${dial}: connect: connection refused` : err.message);
    });
    req.end();
  });
}
