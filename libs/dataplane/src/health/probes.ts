import { request } from 'node:http';
import { connect } from 'node:net';

export interface ProbeTarget {
  address: string;
  port: number;
  protocol: 'TCP' | 'HTTP';
  /** HTTP only. */
  path?: string;
}

export interface ProbeResult {
  ok: boolean;
  /** `TCP connect ok`, `HTTP 200`, `connect ECONNREFUSED 127.10.0.4:30080`, `timed out after 2000 ms`. */
  detail: string;
}

export type Probe = (target: ProbeTarget, timeoutMs: number) => Promise<ProbeResult>;

/** Runs the probe of the target's protocol. */
export const probe: Probe = (target, timeoutMs) =>
  target.protocol === 'HTTP' ? httpProbe(target, timeoutMs) : tcpProbe(target, timeoutMs);

/** Healthy when a TCP connection opens within the timeout (then closed at once). */
export function tcpProbe(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.address, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, detail: `TCP connect timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true, detail: 'TCP connect ok' });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: err.message });
    });
  });
}

/** Healthy on a 2xx or 3xx answer to `GET path` within the timeout (body discarded). */
export function httpProbe(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: ProbeResult) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(result);
      }
    };
    const req = request({
      host: target.address,
      port: target.port,
      path: target.path ?? '/',
      method: 'GET',
      agent: false,
      headers: { 'user-agent': 'nimbus-health-check/1.0', connection: 'close' },
    });
    const timer = setTimeout(
      () =>
        done({
          ok: false,
          detail: `HTTP GET ${target.path ?? '/'} timed out after ${timeoutMs} ms`,
        }),
      timeoutMs,
    );
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      done({ ok: status >= 200 && status < 400, detail: `HTTP ${status}` });
    });
    req.once('error', (err) => done({ ok: false, detail: err.message }));
    req.end();
  });
}
