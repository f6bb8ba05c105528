import type { KubeObject } from '../object/types';

/**
 * The default class among several marked default: the newest, the name breaking a tie
 * (storageutil.GetDefaultClass and the DefaultIngressClass plugin's getDefaultClass).
 */
export function newestDefault(defaults: KubeObject[]): KubeObject | undefined {
  return [...defaults].sort((a, b) => {
    const byTime = String(b.metadata.creationTimestamp ?? '').localeCompare(
      String(a.metadata.creationTimestamp ?? ''),
    );
    return byTime !== 0 ? byTime : String(a.metadata.name).localeCompare(String(b.metadata.name));
  })[0];
}
