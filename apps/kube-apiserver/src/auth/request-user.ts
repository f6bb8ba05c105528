import { AsyncLocalStorage } from 'node:async_hooks';
import type { UserInfo } from './user-info';

/**
 * The user a request runs as (after impersonation), for code deep in a request's path — the
 * reviews, TokenRequest and the RBAC escalation check — without threading it through every call
 * (upstream keeps it in the request context).
 */
const storage = new AsyncLocalStorage<UserInfo>();

export function runAsUser<T>(user: UserInfo, fn: () => T): T {
  return storage.run(user, fn);
}

/** The requesting user, or undefined outside a request (the api-server's own writes). */
export function currentUser(): UserInfo | undefined {
  return storage.getStore();
}

/** Runs `fn` as the api-server itself, outside any request's user (work a request triggered). */
export function runAsServer<T>(fn: () => T): T {
  return storage.exit(fn);
}

/**
 * Runs `fn` after this event-loop turn as the api-server. In-process controllers schedule their
 * work from inside whatever write triggered it; without this the work would inherit that request's
 * user (AsyncLocalStorage follows setImmediate), so a kubelet deleting its pod would have the
 * garbage collector's deletes judged by NodeRestriction as the kubelet's.
 */
export function afterThisTurnAsServer(fn: () => void): void {
  runAsServer(() => setImmediate(fn));
}
