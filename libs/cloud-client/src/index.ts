export * from './errors';
export * from './retry';
export * from './paging';
export * from './cloud-http';
export * from './cloud-client';
export * from './change-stream';
export * from './instance-watcher';
export * from './client-from-flags';
