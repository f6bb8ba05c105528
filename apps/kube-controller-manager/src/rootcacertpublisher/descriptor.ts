import type { ControllerDescriptor } from '../controller-context';
import { ROOT_CA_CONFIGMAP, RootCaCertPublisher } from './root-ca-cert-publisher';

/** `root-ca-certificate-publisher-controller` (alias `root-ca-cert-publisher`). */
export const rootCaCertPublisher: ControllerDescriptor = {
  name: 'root-ca-certificate-publisher-controller',
  aliases: ['root-ca-cert-publisher'],
  init(ctx) {
    const publisher = new RootCaCertPublisher({
      rest: ctx.rest,
      rootCa: ctx.rootCa,
      namespaces: ctx.informers.namespaces(),
      configMaps: ctx.informers.configMaps({ fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` }),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
    });
    return { start: async () => (await publisher.start(), publisher) };
  },
};
