import type { PolicyRule } from './policy-rule';

/*
 * The default roles and bindings kube-apiserver reconciles at start
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy: policy.go, namespace_policy.go; the expected
 * output is in its testdata/*.yaml), limited to the API groups this server serves plus the ones
 * other tools expect to find. Nimbus additions are marked "Nimbus" and named `nimbus:…` or after
 * the component, and explained in docs/kube-apiserver.md (Security).
 */

const RO = ['get', 'list', 'watch'];
const RW = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const EVENT_WRITES = ['create', 'patch', 'update'];

const rule = (
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
});
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({
  verbs,
  nonResourceURLs,
});

/** The simulated kubelets' process-wide identity (their shared informers). */
export const NIMBUS_KUBELET_USER = 'system:nimbus-kubelet';

export interface BootstrapRole {
  name: string;
  /** Namespaced Role when set, ClusterRole otherwise. */
  namespace?: string;
  rules: PolicyRule[];
  labels?: Record<string, string>;
  /** metav1.LabelSelectors of an aggregated ClusterRole (its rules are filled in by aggregation). */
  aggregateFrom?: Record<string, string>[];
}

export interface BootstrapBinding {
  name: string;
  namespace?: string;
  roleRef: { kind: 'ClusterRole' | 'Role'; name: string };
  subjects: { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string }[];
}

const user = (name: string) => ({ kind: 'User' as const, name });
const group = (name: string) => ({ kind: 'Group' as const, name });
const sa = (namespace: string, name: string) => ({
  kind: 'ServiceAccount' as const,
  name,
  namespace,
});
const aggregateTo = (role: string) => ({
  [`rbac.authorization.k8s.io/aggregate-to-${role}`]: 'true',
});

/** The rules deploy/rbac/clusterrole.yaml grants the CCM (a test keeps them equal). */
export const CLOUD_CONTROLLER_MANAGER_RULES: PolicyRule[] = [
  rule(['get', 'list', 'watch', 'update', 'patch', 'delete'], [''], ['nodes']),
  rule(['patch'], [''], ['nodes/status']),
  rule(['list', 'watch', 'patch'], [''], ['services']),
  rule(['patch'], [''], ['services/status']),
  rule(['create', 'patch'], [''], ['events']),
  rule(['list', 'watch', 'create', 'patch', 'delete'], [''], ['persistentvolumes']),
  rule(['list', 'watch', 'patch'], [''], ['persistentvolumeclaims']),
  rule(['patch'], [''], ['persistentvolumeclaims/status']),
  rule(['list', 'watch', 'patch'], ['storage.k8s.io'], ['volumeattachments']),
  rule(['patch'], ['storage.k8s.io'], ['volumeattachments/status']),
  rule(['list', 'watch', 'create', 'patch'], ['storage.k8s.io'], ['csinodes']),
  rule(['get', 'list', 'watch', 'create'], ['storage.k8s.io'], ['storageclasses']),
  rule(['create'], ['storage.k8s.io'], ['csidrivers']),
  rule(['get'], ['storage.k8s.io'], ['csidrivers'], ['disk.csi.nimbus.dev']),
];

/**
 * Nimbus: the kube-controller-manager runs every control loop with its own credential (upstream's
 * `--use-service-account-credentials=false`), which upstream documents "must be granted all the
 * relevant roles" — the writes of the per-controller `system:controller:*` roles of the
 * controllers Nimbus runs, in one role.
 */
const CONTROLLER_RULES: PolicyRule[] = [
  rule(
    ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    [''],
    [
      'pods',
      'pods/status',
      'nodes',
      'nodes/status',
      'endpoints',
      'serviceaccounts',
      'configmaps',
      'replicationcontrollers',
      'replicationcontrollers/status',
      'persistentvolumes',
      'persistentvolumes/status',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'namespaces',
      'namespaces/status',
      'namespaces/finalize',
      'services',
      'services/status',
      'resourcequotas',
      'resourcequotas/status',
    ],
  ),
  rule(['create'], [''], ['pods/eviction', 'pods/binding', 'bindings']),
  rule(
    ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    ['apps'],
    [
      'deployments',
      'deployments/status',
      'replicasets',
      'replicasets/status',
      'statefulsets',
      'statefulsets/status',
      'daemonsets',
      'daemonsets/status',
      'controllerrevisions',
    ],
  ),
  rule(
    ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    ['batch'],
    ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status'],
  ),
  // system:controller:horizontal-pod-autoscaler: autoscalers and any kind's scale subresource.
  rule(['get', 'list', 'watch'], ['autoscaling'], ['horizontalpodautoscalers']),
  rule(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
  rule(['get', 'update'], ['*'], ['*/scale']),
  rule(['list'], ['metrics.k8s.io'], ['pods']),
  // system:controller:resourcequota-controller: counts any kind a quota names (`count/<r>.<g>`).
  rule(['list', 'watch'], ['*'], ['*']),
  rule(
    ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    ['policy'],
    ['poddisruptionbudgets', 'poddisruptionbudgets/status'],
  ),
  rule(
    ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    ['discovery.k8s.io'],
    ['endpointslices'],
  ),
  rule(
    ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    ['storage.k8s.io'],
    ['volumeattachments', 'volumeattachments/status', 'storageclasses', 'csinodes', 'csidrivers'],
  ),
  rule(
    ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    ['coordination.k8s.io'],
    ['leases'],
  ),
];

export const BOOTSTRAP_ROLES: BootstrapRole[] = [
  { name: 'cluster-admin', rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])] },
  { name: 'admin', rules: [], aggregateFrom: [aggregateTo('admin')] },
  { name: 'edit', rules: [], aggregateFrom: [aggregateTo('edit')], labels: aggregateTo('admin') },
  { name: 'view', rules: [], aggregateFrom: [aggregateTo('view')], labels: aggregateTo('edit') },
  {
    name: 'system:aggregate-to-admin',
    labels: aggregateTo('admin'),
    rules: [
      rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      rule(ALL, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
    ],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: aggregateTo('edit'),
    rules: [
      rule(
        RO,
        [''],
        ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'],
      ),
      rule(['impersonate'], [''], ['serviceaccounts']),
      rule(RW, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
      rule(['create'], [''], ['pods/eviction']),
      rule(
        RW,
        [''],
        [
          'configmaps',
          'events',
          'persistentvolumeclaims',
          'replicationcontrollers',
          'replicationcontrollers/scale',
          'secrets',
          'serviceaccounts',
          'services',
          'services/proxy',
        ],
      ),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(
        RW,
        ['apps'],
        [
          'daemonsets',
          'deployments',
          'deployments/rollback',
          'deployments/scale',
          'replicasets',
          'replicasets/scale',
          'statefulsets',
          'statefulsets/scale',
        ],
      ),
      rule(RW, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(RW, ['batch'], ['cronjobs', 'jobs']),
      rule(RW, ['policy'], ['poddisruptionbudgets']),
      rule(RW, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
      rule(ALL, ['coordination.k8s.io'], ['leases']),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: aggregateTo('view'),
    rules: [
      rule(
        RO,
        [''],
        [
          'configmaps',
          'endpoints',
          'persistentvolumeclaims',
          'persistentvolumeclaims/status',
          'pods',
          'replicationcontrollers',
          'replicationcontrollers/scale',
          'serviceaccounts',
          'services',
          'services/status',
        ],
      ),
      rule(
        RO,
        [''],
        [
          'bindings',
          'events',
          'limitranges',
          'namespaces/status',
          'pods/log',
          'pods/status',
          'replicationcontrollers/status',
          'resourcequotas',
          'resourcequotas/status',
        ],
      ),
      rule(RO, [''], ['namespaces']),
      rule(RO, ['discovery.k8s.io'], ['endpointslices']),
      rule(
        RO,
        ['apps'],
        [
          'controllerrevisions',
          'daemonsets',
          'daemonsets/status',
          'deployments',
          'deployments/scale',
          'deployments/status',
          'replicasets',
          'replicasets/scale',
          'replicasets/status',
          'statefulsets',
          'statefulsets/scale',
          'statefulsets/status',
        ],
      ),
      rule(RO, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(RO, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
      rule(RO, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(RO, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
    ],
  },
  // metrics-server's manifest adds this role; Nimbus serves metrics.k8s.io itself, so it is here.
  {
    name: 'system:aggregated-metrics-reader',
    labels: { ...aggregateTo('view'), ...aggregateTo('edit'), ...aggregateTo('admin') },
    rules: [rule(['get', 'list', 'watch'], ['metrics.k8s.io'], ['pods', 'nodes'])],
  },
  {
    name: 'system:auth-delegator',
    rules: [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ],
  },
  {
    name: 'system:basic-user',
    rules: [
      rule(
        ['create'],
        ['authorization.k8s.io'],
        ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      ),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ],
  },
  {
    name: 'system:discovery',
    rules: [
      urls(
        ['get'],
        [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
      ),
    ],
  },
  {
    name: 'system:public-info-viewer',
    rules: [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])],
  },
  {
    name: 'system:monitoring',
    rules: [
      urls(
        ['get'],
        [
          '/healthz',
          '/healthz/*',
          '/livez',
          '/livez/*',
          '/metrics',
          '/metrics/slis',
          '/readyz',
          '/readyz/*',
        ],
      ),
    ],
  },
  {
    name: 'system:service-account-issuer-discovery',
    rules: [urls(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks'])],
  },
  {
    name: 'system:kube-controller-manager',
    rules: [
      rule(EVENT_WRITES, ['', 'events.k8s.io'], ['events']),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      rule(['create'], [''], ['secrets', 'serviceaccounts']),
      rule(['delete'], [''], ['secrets']),
      rule(['get'], [''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      rule(['update'], [''], ['secrets', 'serviceaccounts']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [''], ['serviceaccounts/token']),
    ],
  },
  { name: 'nimbus:kube-controller-manager:controllers', rules: CONTROLLER_RULES },
  {
    name: 'system:kube-scheduler',
    rules: [
      rule(EVENT_WRITES, ['', 'events.k8s.io'], ['events']),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      rule(RO, [''], ['nodes']),
      rule(['delete', 'get', 'list', 'watch'], [''], ['pods']),
      rule(['create'], [''], ['bindings', 'pods/binding']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(RO, [''], ['replicationcontrollers', 'services']),
      rule(RO, ['apps', 'extensions'], ['replicasets']),
      rule(RO, ['apps'], ['statefulsets']),
      rule(RO, ['policy'], ['poddisruptionbudgets']),
      rule(RO, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(RO, ['storage.k8s.io'], ['csinodes']),
      rule(RO, [''], ['namespaces']),
      rule(RO, ['storage.k8s.io'], ['csidrivers']),
      rule(RO, ['storage.k8s.io'], ['csistoragecapacities']),
    ],
  },
  {
    name: 'system:volume-scheduler',
    rules: [
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']),
      rule(RO, ['storage.k8s.io'], ['storageclasses']),
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims']),
    ],
  },
  { name: 'system:kube-dns', rules: [rule(['list', 'watch'], [''], ['endpoints', 'services'])] },
  {
    name: 'system:node',
    rules: [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(
        ['create'],
        ['authorization.k8s.io'],
        ['localsubjectaccessreviews', 'subjectaccessreviews'],
      ),
      rule(RO, [''], ['services']),
      rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
      rule(['patch', 'update'], [''], ['nodes/status']),
      rule(['patch', 'update'], [''], ['nodes']),
      rule(EVENT_WRITES, [''], ['events']),
      rule(RO, [''], ['pods']),
      rule(['create', 'delete'], [''], ['pods']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(['create'], [''], ['pods/eviction']),
      rule(RO, [''], ['configmaps', 'secrets']),
      rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['get'], [''], ['endpoints']),
      rule(
        ['create', 'get', 'list', 'watch'],
        ['certificates.k8s.io'],
        ['certificatesigningrequests'],
      ),
      rule(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
      rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(['get', 'patch', 'update'], [''], ['persistentvolumeclaims/status']),
      rule(RO, ['storage.k8s.io'], ['csidrivers']),
      rule(['create', 'delete', 'get', 'patch', 'update'], ['storage.k8s.io'], ['csinodes']),
      rule(RO, ['node.k8s.io'], ['runtimeclasses']),
    ],
  },
  {
    name: 'system:node-proxier',
    rules: [
      rule(['list', 'watch'], [''], ['endpoints', 'services']),
      rule(RO, [''], ['nodes']),
      rule(EVENT_WRITES, ['', 'events.k8s.io'], ['events']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ],
  },
  // Nimbus: the simulated kubelets run many nodes in one process; the informer caches those nodes
  // share (what a real kubelet watches for itself, or reads one object at a time) are filled by a
  // process-wide identity, system:nimbus-kubelet, that may only list and watch. Every write, and
  // everything a node reads for itself, is made as the node (Node authorizer, NodeRestriction).
  {
    name: 'nimbus:kubelet-informers',
    rules: [
      rule(['list', 'watch'], [''], ['nodes', 'pods']),
      rule(['list', 'watch'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['list', 'watch'], ['storage.k8s.io'], ['volumeattachments', 'csidrivers']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ],
  },
  // Nimbus: what cloud providers ship for their CCM (same name as AWS's, OpenStack's, vSphere's).
  { name: 'system:cloud-controller-manager', rules: CLOUD_CONTROLLER_MANAGER_RULES },
  // Namespaced roles (namespace_policy.go).
  {
    name: 'extension-apiserver-authentication-reader',
    namespace: 'kube-system',
    rules: [rule(RO, [''], ['configmaps'], ['extension-apiserver-authentication'])],
  },
  {
    name: 'system::leader-locking-kube-controller-manager',
    namespace: 'kube-system',
    rules: [
      rule(['watch'], [''], ['configmaps']),
      rule(['get', 'update'], [''], ['configmaps'], ['kube-controller-manager']),
    ],
  },
  {
    name: 'system::leader-locking-kube-scheduler',
    namespace: 'kube-system',
    rules: [
      rule(['watch'], [''], ['configmaps']),
      rule(['get', 'update'], [''], ['configmaps'], ['kube-scheduler']),
    ],
  },
  // Nimbus: the CCM's Lease, as deploy/rbac/leader-election.yaml grants it.
  {
    name: 'system::leader-locking-cloud-controller-manager',
    namespace: 'kube-system',
    rules: [
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['cloud-controller-manager']),
    ],
  },
];

const clusterBinding = (
  name: string,
  subjects: BootstrapBinding['subjects'],
  role = name,
): BootstrapBinding => ({ name, roleRef: { kind: 'ClusterRole', name: role }, subjects });

export const BOOTSTRAP_BINDINGS: BootstrapBinding[] = [
  clusterBinding('cluster-admin', [group('system:masters')]),
  clusterBinding('system:basic-user', [group('system:authenticated')]),
  clusterBinding('system:discovery', [group('system:authenticated')]),
  clusterBinding('system:public-info-viewer', [
    group('system:authenticated'),
    group('system:unauthenticated'),
  ]),
  clusterBinding('system:monitoring', [group('system:monitoring')]),
  clusterBinding('system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
  clusterBinding('system:kube-controller-manager', [user('system:kube-controller-manager')]),
  clusterBinding('nimbus:kube-controller-manager:controllers', [
    user('system:kube-controller-manager'),
  ]),
  clusterBinding('system:kube-scheduler', [user('system:kube-scheduler')]),
  clusterBinding('system:volume-scheduler', [user('system:kube-scheduler')]),
  clusterBinding('system:kube-dns', [sa('kube-system', 'kube-dns')]),
  // Upstream leaves system:node without subjects: the Node authorizer authorises kubelets.
  clusterBinding('system:node', []),
  clusterBinding('nimbus:kubelet-informers', [user(NIMBUS_KUBELET_USER)]),
  clusterBinding('system:node-proxier', [user('system:kube-proxy')]),
  clusterBinding('system:cloud-controller-manager', [user('system:cloud-controller-manager')]),
  {
    name: 'system::extension-apiserver-authentication-reader',
    namespace: 'kube-system',
    roleRef: { kind: 'Role', name: 'extension-apiserver-authentication-reader' },
    subjects: [user('system:kube-controller-manager'), user('system:kube-scheduler')],
  },
  {
    name: 'system::leader-locking-kube-controller-manager',
    namespace: 'kube-system',
    roleRef: { kind: 'Role', name: 'system::leader-locking-kube-controller-manager' },
    subjects: [
      user('system:kube-controller-manager'),
      sa('kube-system', 'kube-controller-manager'),
    ],
  },
  {
    name: 'system::leader-locking-kube-scheduler',
    namespace: 'kube-system',
    roleRef: { kind: 'Role', name: 'system::leader-locking-kube-scheduler' },
    subjects: [user('system:kube-scheduler'), sa('kube-system', 'kube-scheduler')],
  },
  {
    name: 'system::leader-locking-cloud-controller-manager',
    namespace: 'kube-system',
    roleRef: { kind: 'Role', name: 'system::leader-locking-cloud-controller-manager' },
    subjects: [user('system:cloud-controller-manager')],
  },
];

/**
 * Without the Node authorizer (`--authorization-mode RBAC`), kubelets get the system:node role
 * through their group, as clusters did before the Node authorizer existed; with it, this binding
 * is removed (it would let every node read every Secret).
 */
export const NODES_WITHOUT_NODE_AUTHORIZER: BootstrapBinding = clusterBinding(
  'nimbus:nodes',
  [group('system:nodes')],
  'system:node',
);

/** Bootstrap objects of earlier Nimbus versions, removed at start when still the defaults. */
export const RETIRED_BOOTSTRAP_OBJECTS: {
  kind: 'ClusterRole' | 'ClusterRoleBinding';
  name: string;
}[] = [
  { kind: 'ClusterRoleBinding', name: 'nimbus:kubelet-simulation' },
  { kind: 'ClusterRole', name: 'nimbus:kubelet-simulation' },
];
