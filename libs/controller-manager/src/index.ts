// Pieces shared by the kube-controller-manager and the cloud-controller-manager
// (upstream's k8s.io/controller-manager): `--controllers` rules, controller descriptors and the
// process around them (health server and leader election come from libs/controller-runtime).
export * from './controller-names';
export * from './controller-descriptor';
export * from './controller-manager-process';
