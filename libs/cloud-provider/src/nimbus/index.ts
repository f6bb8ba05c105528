export * from './provider-id';
export * from './options';
export * from './instances';
export * from './load-balancer-spec';
export * from './load-balancers';
export * from './routes';
export * from './nimbus-cloud-provider';
