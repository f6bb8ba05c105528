import { readFileSync } from 'node:fs';
import type { BindPlan } from './types';

export interface Bound<T> {
  handle: T;
  address: string;
  port: number;
  /** Why the first candidate was not used (absent when it was). */
  message?: string;
}

export interface BindFailure {
  code: string;
  message: string;
}

/** Opens one socket on `address:port` (0 = any); rejects with the Node error. */
export type Binder<T> = (address: string, port: number) => Promise<{ handle: T; port: number }>;

/**
 * Binds `plan`'s address and port; when that fails with a code one of its fallbacks names, tries
 * that fallback (and its own fallbacks). Answers the bound handle with an explanation of every
 * failure on the way, or the last failure explained.
 */
export async function bindFirstAvailable<T>(
  plan: BindPlan,
  bind: Binder<T>,
): Promise<Bound<T> | BindFailure> {
  const reasons: string[] = [];
  let current: BindPlan | undefined = plan;
  let failure: BindFailure = { code: 'EUNKNOWN', message: 'nothing to bind' };
  while (current) {
    try {
      const { handle, port } = await bind(current.address, current.port);
      return {
        handle,
        address: current.address,
        port,
        message:
          reasons.length > 0
            ? `${reasons.join('; ')}; listening on ${hostPort(current.address, port)} instead`
            : undefined,
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      failure = { code, message: explainBindError(code, current, error as Error) };
      reasons.push(failure.message);
      current = current.fallbacks?.find((f) => f.on.includes(code))?.then;
    }
  }
  return { code: failure.code, message: reasons.join('; ') };
}

export function isBindFailure<T>(result: Bound<T> | BindFailure): result is BindFailure {
  return 'code' in result;
}

/** `a.b.c.d:p` or `[v6]:p`. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** A message a user can act on, for the bind errors that have a known cause. */
export function explainBindError(
  code: string,
  candidate: { address: string; port: number },
  error: Error,
): string {
  const where = hostPort(candidate.address, candidate.port);
  switch (code) {
    case 'EACCES':
      return `${where}: ports below ${unprivilegedPortStart() ?? 1024} need privileges (net.ipv4.ip_unprivileged_port_start; run as root, grant CAP_NET_BIND_SERVICE or lower the sysctl)`;
    case 'EADDRNOTAVAIL':
      return `${where}: ${candidate.address} is not an address of this machine (on macOS only 127.0.0.1 is on the loopback interface unless aliased)`;
    case 'EADDRINUSE':
      return `${where}: address already in use`;
    default:
      return `${where}: ${error.message}`;
  }
}

let unprivilegedStart: number | null | undefined;

/** Linux's first unprivileged port (net.ipv4.ip_unprivileged_port_start), when readable. */
function unprivilegedPortStart(): number | undefined {
  if (unprivilegedStart === undefined) {
    try {
      const text = readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8');
      unprivilegedStart = Number.parseInt(text, 10);
    } catch {
      unprivilegedStart = null;
    }
  }
  return unprivilegedStart ?? undefined;
}
