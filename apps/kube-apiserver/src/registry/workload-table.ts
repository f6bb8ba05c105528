import type { KubeObject } from '../object/types';
import { isPlainObject } from '../object/types';
import { wide } from '../tables/columns';
import { formatLabelSelector } from './label-selector-rules';
import { getPath, text } from './object-path';
import { podSpecStrategies } from './pod-spec-strategies';
import type { ListStrategy, ResourceType, TableColumn } from './resource-type';
import { labelSelectorText } from './workload-rules';

/** Table and patch pieces every pod-template kind shares (`pkg/printers/internalversion`). */

/** layoutContainerCells: container names and images, comma-separated, for wide Tables. */
export function containerCells(containers: unknown): { names: string; images: string } {
  const list = Array.isArray(containers) ? containers.filter(isPlainObject) : [];
  return {
    names: list.map((c) => text(c.name ?? '')).join(','),
    images: list.map((c) => text(c.image ?? '')).join(','),
  };
}

/** The wide CONTAINERS and IMAGES columns of the pod spec at `podSpecPath`. */
export function containerColumns(podSpecPath = 'spec.template.spec'): TableColumn[] {
  const cells = (o: KubeObject) => containerCells(getPath(o, `${podSpecPath}.containers`));
  return [wide('Containers', (o) => cells(o).names), wide('Images', (o) => cells(o).images)];
}

/** The wide SELECTOR column (metav1.FormatLabelSelector of the selector at `path`). */
export const selectorColumn = (path = 'spec.selector'): TableColumn =>
  wide('Selector', (o) => formatLabelSelector(getPath(o, path)));

/** Strategic-merge keys of a kind with a pod template and status conditions. */
export const templateStrategies = (
  podSpecPath = 'spec.template.spec',
): Record<string, ListStrategy> => ({
  ...podSpecStrategies(podSpecPath),
  'status.conditions': { key: 'type' },
});

/** What Deployments, ReplicaSets and StatefulSets share: namespaced, in `all`, status and scale. */
export const scalableWorkload = {
  scope: 'Namespaced',
  categories: ['all'],
  deleteReturnsStatus: true,
  subresources: ['status', 'scale'],
  scale: { selector: labelSelectorText },
  listStrategies: templateStrategies(),
} satisfies Partial<ResourceType>;
