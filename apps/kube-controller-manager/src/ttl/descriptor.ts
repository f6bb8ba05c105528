import type { ControllerDescriptor } from '../controller-context';
import { TtlController } from './ttl-controller';

/** `ttl-controller` (alias `ttl`). */
export const ttlController: ControllerDescriptor = {
  name: 'ttl-controller',
  aliases: ['ttl'],
  init(ctx) {
    const controller = new TtlController({
      rest: ctx.rest,
      nodes: ctx.informers.nodes(),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
