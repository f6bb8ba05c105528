import { ConfigError } from '@app/config';
import type { ControllerDescriptor } from '../controller-context';
import { RangeAllocator, buildCidrSets } from './range-allocator';

/**
 * `node-ipam-controller` (alias `nodeipam`): runs only with `--allocate-node-cidrs=true`, as
 * the RangeAllocator (the CloudAllocator needs an in-tree cloud provider, gone since 1.31).
 */
export const nodeIpamController: ControllerDescriptor = {
  name: 'node-ipam-controller',
  aliases: ['nodeipam'],
  validate(settings) {
    if (!settings.allocateNodeCidrs) {
      return;
    }
    if (settings.cidrAllocatorType === 'CloudAllocator') {
      throw new ConfigError(
        "--cidr-allocator-type is set to 'CloudAllocator' but cloud provider is not configured",
      );
    }
    buildCidrSets(settings);
  },
  init(ctx) {
    if (!ctx.settings.allocateNodeCidrs) {
      return { skipped: '--allocate-node-cidrs is false' };
    }
    const allocator = new RangeAllocator({
      rest: ctx.rest,
      nodes: ctx.informers.nodes(),
      cidrSets: buildCidrSets(ctx.settings),
      recorder: ctx.eventRecorder('cidrAllocator'),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
    });
    return { start: async () => (await allocator.start(), allocator) };
  },
};
