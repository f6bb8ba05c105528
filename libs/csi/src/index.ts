export * from './well-known';
export * from './attacher-names';
export * from './claims';
export * from './quantity';
