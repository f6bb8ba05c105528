import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** A failed call: the HTTP status as `code` and the Status body, like client-node's ApiException. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
  ) {
    super(`HTTP ${code}: ${statusMessage(body)}`);
  }
}

function statusMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}

/**
 * Plain JSON calls over the kubeconfig's credentials and keep-alive agent, for hot paths (a
 * scheduler binds hundreds of pods a second): the generated client-node APIs serialise and
 * deserialise every body through their model classes, which costs more than the request itself.
 */
export class KubeRestClient {
  private readonly server: URL;

  constructor(private readonly kc: KubeConfig) {
    const server = kc.getCurrentCluster()?.server;
    if (!server) {
      throw new Error('kubeconfig has no current cluster');
    }
    this.server = new URL(server);
  }

  /** `method path` with a JSON body; resolves the parsed response, rejects with KubeApiError. */
  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const url = new URL(path, this.server);
    const options: RequestOptions = {
      method,
      headers: {
        Accept: 'application/json',
        ...(payload === undefined
          ? {}
          : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) }),
      },
    };
    await this.kc.applyToHTTPSOptions(options);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const status = res.statusCode ?? 0;
          if (status >= 400) {
            reject(new KubeApiError(status, text));
            return;
          }
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}
