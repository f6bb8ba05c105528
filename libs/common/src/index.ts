export * from './errors';
export * from './clock';
export * from './ids';
export * from './duration';
export * from './host-address';
export * from './cron-schedule';
export * from './go-duration';
export * from './private-file';
