import type { ControllerDescriptor } from '../controller-context';
import { ServiceAccountsController } from './serviceaccounts-controller';

/** `serviceaccount-controller` (alias `serviceaccount`). */
export const serviceAccountController: ControllerDescriptor = {
  name: 'serviceaccount-controller',
  aliases: ['serviceaccount'],
  init(ctx) {
    const controller = new ServiceAccountsController({
      rest: ctx.rest,
      namespaces: ctx.informers.namespaces(),
      serviceAccounts: ctx.informers.serviceAccounts(),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
