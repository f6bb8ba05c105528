import type { NodeInfo } from '../cache/node-info';
import type { PodInfo } from '../cache/pod-info';
import type { SchedulerCache } from '../cache/scheduler-cache';
import { MAX_NODE_SCORE } from '../framework/framework';
import type { CycleState, ScorePlugin } from '../framework/interfaces';
import { PluginNames } from './names';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** normalizedImageName: an image without a tag means `:latest`. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

/**
 * ImageLocality: favours nodes that already list the pod's images in `status.images`, weighted by
 * image size and by how widely the image is spread (a ubiquitous image says little). Names are
 * compared as written (upstream normalises only the missing tag).
 */
export class ImageLocality implements ScorePlugin {
  readonly name = PluginNames.ImageLocality;

  constructor(private readonly cache: SchedulerCache) {}

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    if (node.images.size === 0) {
      return 0;
    }
    const images = podImages(state, pod);
    const total = this.cache.numNodes;
    let sum = 0;
    for (const image of images) {
      const size = node.images.get(image);
      if (size !== undefined && total > 0) {
        sum += Math.trunc(size * (this.cache.imageSpread(image) / total));
      }
    }
    const maxThreshold = MAX_CONTAINER_THRESHOLD * images.length;
    const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), maxThreshold);
    return Math.trunc(
      (MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD),
    );
  }
}

const POD_IMAGES = 'ImageLocality/podImages';

/** The pod's (init) container images, normalised once per scheduling cycle, not once per node. */
function podImages(state: CycleState, pod: PodInfo): string[] {
  let images = state.get(POD_IMAGES) as string[] | undefined;
  if (!images) {
    const spec = pod.pod.spec;
    images = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) =>
      normalizedImageName(c.image ?? ''),
    );
    state.set(POD_IMAGES, images);
  }
  return images;
}
