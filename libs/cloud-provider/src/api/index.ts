export * from './types';
export * from './errors';
export * from './cloud-provider';
export * from './helpers';
export * from './node-adoption';
export * from './volumes';
