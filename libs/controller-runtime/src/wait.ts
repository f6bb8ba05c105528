import type { HasSynced } from './informer';
import type { Logger } from './logger';
import { sleep, type Scheduler } from './scheduler';

/** client-go polls informers every 100 ms while waiting for their caches. */
export const CACHE_SYNC_POLL_MS = 100;

/**
 * client-go's WaitForNamedCacheSync: resolves `true` once every source has synced, `false` if
 * `signal` aborts first.
 */
export async function waitForCacheSync(
  controllerName: string,
  sources: readonly HasSynced[],
  scheduler: Scheduler,
  logger: Logger,
  signal?: AbortSignal,
): Promise<boolean> {
  logger.info({ controller: controllerName }, 'Waiting for caches to sync');
  while (!sources.every((s) => s.hasSynced())) {
    if (!(await sleep(scheduler, CACHE_SYNC_POLL_MS, signal))) {
      logger.error({ controller: controllerName }, 'Unable to sync caches');
      return false;
    }
  }
  logger.info({ controller: controllerName }, 'Caches are synced');
  return true;
}
