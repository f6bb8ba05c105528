export * from './temp-dir';
export * from './bad-input';
