export * from './errors';
export * from './retry';
export * from './paging';
export * from './cloud-http';
export * from './cloud-client';
export * from './volumes-api';
export * from './tls-transport';
export * from './tls-from-flags';
