export * from './temp-dir';
export * from './echo-backend';
