import 'reflect-metadata';

export * from './env';
export * from './config-error';
export * from './validate-config';
export * from './tls-flags';
export * from './cloud-client-flags';
export * from './cloud-api.config';
export * from './cli-option';
export * from './kube-apiserver.config';
export * from './control-plane.config';
export * from './cloud-controller-manager.config';
export * from './kube-scheduler.config';
export * from './nimbus-up.config';
export * from './property-tests';
