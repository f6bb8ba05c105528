// Pieces shared by the kube-controller-manager and the cloud-controller-manager
// (upstream's k8s.io/controller-manager): `--controllers` rules and the /healthz + /metrics server.
export * from './controller-names';
export * from './health-server';
export * from './controller-descriptor';
export * from './controller-manager-process';
export * from './leader-election-settings';
