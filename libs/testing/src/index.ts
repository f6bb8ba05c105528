export * from './temp-dir';
export * from './bad-input';
export * from './thrown-by';
export * from './echo-backend';
export * from './kubelet-conditions';
