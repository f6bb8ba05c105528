import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { AdjustableClock, loadNodeTokenKey, nodeToken, type Clock } from '@app/common';
import type { KubeApiServerConfig } from '@app/config';
import { DefaultTolerationSecondsAdmission } from './admission/default-toleration-seconds';
import { PriorityAdmission } from './admission/priority-admission';
import { METRICS_DEFINITIONS } from './metrics/metrics-openapi';
import { ResourceMetrics } from './metrics/resource-metrics';
import { LimitRangerAdmission } from './admission/limit-ranger';
import { RuntimeClassAdmission } from './admission/runtime-class-admission';
import { DefaultIngressClassAdmission } from './admission/default-ingress-class';
import { NodeRestrictionAdmission } from './admission/node-restriction';
import { ResourceQuotaAdmission } from './admission/resource-quota-admission';
import { ValidatingAdmissionPolicyAdmission } from './admissionpolicy/validating-admission-policy';
import { ServiceAccountAdmission } from './admission/service-account-admission';
import { ServiceAllocator } from './admission/service-allocator';
import {
  DefaultStorageClassAdmission,
  StorageObjectInUseProtectionAdmission,
  PersistentVolumeClaimResizeAdmission,
} from './admission/storage-admission';
import { TerminatingCrdAdmission } from './apiextensions/crd-admission';
import { CrdController } from './apiextensions/crd-controller';
import { EvictionSubresource } from './api/eviction';
import { ResourceService } from './api/resource-service';
import { ScaleSubresource } from './api/scale-subresource';
import { ensureCertificates } from './auth/certificates';
import { writeKubeconfig } from './auth/kubeconfig';
import { TokenAuthenticator } from './auth/token-authenticator';
import { Authenticator } from './auth/authenticator';
import { OidcDiscovery } from './auth/oidc-discovery';
import { ensureServiceAccountKeys } from './auth/service-account-keys';
import { ServiceAccountTokens, type ObjectLookup } from './auth/service-account-tokens';
import { buildAuthorizer } from './authz/authorizer';
import { BOOTSTRAP_ROLES } from './authz/bootstrap-policy';
import { NodeAuthorizer } from './authz/node-authorizer';
import { NodeGraph } from './authz/node-graph';
import { ClusterRoleAggregation } from './authz/cluster-role-aggregation';
import { EscalationCheck } from './authz/escalation-check';
import { RbacAuthorizer } from './authz/rbac-authorizer';
import { RbacCache } from './authz/rbac-cache';
import { reconcileBootstrapPolicy } from './authz/reconcile-policy';
import {
  ComponentStatuses,
  DEFAULT_COMPONENT_STATUS_TARGETS,
  type ComponentStatusTargets,
} from './server/component-statuses';
import { ReviewHandler } from './server/review-handler';
import { TokenRequestHandler } from './server/token-request';
import { bootstrapCluster } from './controllers/bootstrap';
import { GarbageCollector } from './controllers/garbage-collector';
import { NamespaceFinalizer } from './controllers/namespace-finalizer';
import { PodGraceReaper } from './controllers/pod-grace-reaper';
import { openKubeDatabase } from './database/open-kube-database';
import { OpenApiService } from './discovery/openapi/openapi-service';
import { ResourceRegistry } from './registry/registry';
import { authenticateAndAuthorize, createKubeApiHandler } from './server/kube-api-handler';
import { answerWhenDurable } from './server/durable-responses';
import { ApiServerMetrics } from './server/metrics';
import { ResourceHandler } from './server/resource-handler';
import { lockDataDir } from './storage/data-dir-lock';
import { MaxInFlightLimiter } from './overload/max-in-flight';
import { ObjectStore } from './storage/object-store';
import { typedStore } from './storage/typed-store';
import { WatchHub } from './watch/watch-hub';
import { SchemaRegistry } from './schema/schema-registry';
import { createUpgradeHandler } from './server/websocket-upgrade';
import { PortForwardServer } from './portforward/port-forward-upgrade';
import { ProxySubresource } from './proxy/proxy-subresource';

export interface KubeApiServerDeps {
  clock?: Clock;
  /** Where unexpected errors go (the CLI passes its logger). */
  log?: (message: string, error?: unknown) => void;
  /** Where ComponentStatus probes the scheduler and the controller-manager (default: upstream's). */
  componentStatusTargets?: ComponentStatusTargets;
}

export interface RunningKubeApiServer {
  /** https://127.0.0.1:<port> */
  url: string;
  port: number;
  kubeconfigPath: string;
  adminToken: string;
  caCert: string;
  /** Token of a user in the token file (e.g. `system:cloud-controller-manager`). */
  tokenFor(user: string): string | undefined;
  /** The key node tokens are derived from (`<dataDir>/node-token.key`; `nimbus kubelet` reads it). */
  nodeTokenKeyFile: string;
  /** The bearer token of node `nodeName` (user `system:node:<nodeName>`, group `system:nodes`). */
  nodeToken(nodeName: string): string;
  /** Drops all watch history now (watches from older versions get 410 Expired). */
  compact(): number;
  /** Ends every open watch (clients re-watch), as a restart would. */
  closeWatches(): void;
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 1000;

/**
 * Starts the built-in Kubernetes API server: HTTPS with a generated CA, token-file auth, SQLite
 * storage in `<dataDir>/kube.sqlite` and a kubeconfig in `<dataDir>/kubeconfig`.
 */
export async function startKubeApiServer(
  config: KubeApiServerConfig,
  deps: KubeApiServerDeps = {},
): Promise<RunningKubeApiServer> {
  const clock = deps.clock ?? new AdjustableClock();
  const log = deps.log ?? (() => undefined);
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // keys, tokens, the database
  // Everything started is undone in reverse order, on close or when startup fails half-way.
  const undo: (() => unknown)[] = [];
  const release = async () => {
    for (const step of undo.splice(0).reverse()) {
      await step();
    }
  };
  try {
    undo.push(lockDataDir(dataDir));
    // On a first start the key pair is generated on the thread pool while the rest starts.
    const serviceAccountKeysReady = ensureServiceAccountKeys(dataDir);
    serviceAccountKeysReady.catch(() => undefined); // awaited below; a failure there fails the start
    const certificates = await ensureCertificates(dataDir, config.host);
    const tokenFile = new TokenAuthenticator(
      config.tokenFile ?? join(dataDir, 'tokens.csv'),
      config.tokenFile === undefined,
    );
    const adminToken = tokenFile.tokenFor('admin');
    if (!adminToken) {
      throw new Error(`token file ${tokenFile.file} has no user "admin"`);
    }
    const serviceAccountKeys = await serviceAccountKeysReady;
    const nodeTokenKeyFile = join(dataDir, 'node-token.key');
    const nodeTokenKey = loadNodeTokenKey(nodeTokenKeyFile, true);
    const { dataSource, db } = await openKubeDatabase(dataDir);
    undo.push(() => dataSource.destroy());
    const store = new ObjectStore(db.connection, clock);
    store.load();
    undo.push(() => store.flush()); // the last batch, before the database closes
    const registry = new ResourceRegistry();
    const allocator = new ServiceAllocator(config.serviceCidr);
    for (const svc of store.list('/services')) {
      allocator.track(svc.object);
    }
    const schemas = new SchemaRegistry();
    schemas.registerDefinitions(METRICS_DEFINITIONS);
    const serviceAccounts = new ServiceAccountAdmission(
      typedStore(store, registry.get('', 'v1', 'serviceaccounts')),
      typedStore(store, registry.get('', 'v1', 'namespaces')),
    );
    const storageClasses = typedStore(
      store,
      registry.get('storage.k8s.io', 'v1', 'storageclasses'),
    );
    const lookupTypes = {
      ServiceAccount: registry.get('', 'v1', 'serviceaccounts'),
      Pod: registry.get('', 'v1', 'pods'),
      Secret: registry.get('', 'v1', 'secrets'),
      Node: registry.get('', 'v1', 'nodes'),
    };
    const resourceMetrics = new ResourceMetrics(
      typedStore(store, lookupTypes.Pod),
      typedStore(store, lookupTypes.Node),
      typedStore(store, registry.get('', 'v1', 'services')),
      clock,
    );
    const lookup: ObjectLookup = (kind, namespace, name) =>
      typedStore(store, lookupTypes[kind]).get(namespace, name)?.object;
    const saTokens = new ServiceAccountTokens(
      serviceAccountKeys,
      config.serviceAccountIssuer,
      [config.serviceAccountIssuer],
      clock,
      lookup,
    );
    const auth = new Authenticator(tokenFile, saTokens, nodeTokenKey);
    const rbacCache = new RbacCache(store);
    undo.push(() => rbacCache.close());
    const rbac = new RbacAuthorizer(rbacCache);
    const nodeGraph = new NodeGraph(store);
    undo.push(() => nodeGraph.close());
    const nodeRules = BOOTSTRAP_ROLES.find((r) => r.name === 'system:node')?.rules ?? [];
    const authorizer = buildAuthorizer(config.authorizationMode, {
      rbac,
      node: new NodeAuthorizer(nodeGraph, nodeRules),
    });
    const nodeRestriction = new NodeRestrictionAdmission({
      pod: (namespace, name) => lookup('Pod', namespace, name),
      node: (name) => lookup('Node', '', name),
    });
    const service = new ResourceService(store, clock, allocator, schemas, [
      new EscalationCheck(authorizer, rbac, rbacCache),
      new LimitRangerAdmission(typedStore(store, registry.get('', 'v1', 'limitranges'))),
      serviceAccounts,
      nodeRestriction,
      new PriorityAdmission(
        typedStore(store, registry.get('scheduling.k8s.io', 'v1', 'priorityclasses')),
      ),
      new DefaultTolerationSecondsAdmission({
        notReadySeconds: config.defaultNotReadyTolerationSeconds,
        unreachableSeconds: config.defaultUnreachableTolerationSeconds,
      }),
      new DefaultStorageClassAdmission(storageClasses),
      new PersistentVolumeClaimResizeAdmission(storageClasses),
      new StorageObjectInUseProtectionAdmission(),
      new RuntimeClassAdmission(
        typedStore(store, registry.get('node.k8s.io', 'v1', 'runtimeclasses')),
      ),
      new DefaultIngressClassAdmission(
        typedStore(store, registry.get('networking.k8s.io', 'v1', 'ingressclasses')),
      ),
      new TerminatingCrdAdmission(store),
      new ValidatingAdmissionPolicyAdmission({
        policies: typedStore(
          store,
          registry.get('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies'),
        ),
        bindings: typedStore(
          store,
          registry.get('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicybindings'),
        ),
        namespaces: typedStore(store, registry.get('', 'v1', 'namespaces')),
        storeOf: (type) => typedStore(store, type),
        registry,
      }),
      new ResourceQuotaAdmission(
        typedStore(store, registry.get('', 'v1', 'resourcequotas')),
        clock,
      ),
    ]);
    const hub = new WatchHub(store);
    const servicesStore = typedStore(store, registry.get('', 'v1', 'services'));
    const endpointsStore = typedStore(store, registry.get('', 'v1', 'endpoints'));
    const metrics = new ApiServerMetrics();
    const resources = new ResourceHandler(
      service,
      store,
      hub,
      clock,
      { heartbeatMs: config.heartbeatMs, bookmarkMs: config.bookmarkMs },
      {
        scale: new ScaleSubresource(service),
        eviction: new EvictionSubresource(
          service,
          registry.get('', 'v1', 'pods'),
          registry.get('policy', 'v1', 'poddisruptionbudgets'),
          clock,
          nodeRestriction,
        ),
        serviceAccounts,
        reviews: new ReviewHandler(auth, authorizer, rbac, config.authorizationMode),
        proxy: new ProxySubresource({
          pod: (ns, name) => lookup('Pod', ns, name),
          service: (ns, name) => servicesStore.get(ns, name)?.object,
          endpoints: (ns, name) => endpointsStore.get(ns, name)?.object,
        }),
        probes: {
          '/componentstatuses': new ComponentStatuses(
            deps.componentStatusTargets ?? DEFAULT_COMPONENT_STATUS_TARGETS,
            () => store.failure,
          ),
          'metrics.k8s.io/pods': resourceMetrics.pods,
          'metrics.k8s.io/nodes': resourceMetrics.nodes,
        },
        tokens: new TokenRequestHandler(
          saTokens,
          {
            serviceAccounts: typedStore(store, lookupTypes.ServiceAccount),
            pods: typedStore(store, lookupTypes.Pod),
            secrets: typedStore(store, lookupTypes.Secret),
            nodes: typedStore(store, lookupTypes.Node),
          },
          () => clock.now(),
          nodeRestriction,
        ),
      },
    );
    let externalUrl = '';
    let started = false;
    let shuttingDown = false;
    const handler = answerWhenDurable(
      store,
      createKubeApiHandler({
        registry,
        openapi: new OpenApiService(registry, schemas, clock),
        auth,
        authorizer,
        oidc: new OidcDiscovery(config.serviceAccountIssuer, () => externalUrl, serviceAccountKeys),
        resources,
        metrics,
        clock,
        health: {
          started: () => started,
          storageFailure: () => store.failure,
          shuttingDown: () => shuttingDown,
        },
        currentRv: () => store.currentRv,
        openWatches: () => hub.size,
        log,
      }),
    );
    const limiter = new MaxInFlightLimiter(
      { readOnly: config.maxRequestsInflight, mutating: config.maxMutatingRequestsInflight },
      (authorization) => auth.authenticate(authorization),
    );
    metrics.countDroppedRequests(() => limiter.dropped);
    const server: Server = createServer(
      { key: certificates.key, cert: certificates.cert },
      limiter.wrap((req, res) => {
        void handler(req, res);
      }),
    );
    const portForward = new PortForwardServer({ pod: (ns, name) => lookup('Pod', ns, name) });
    server.on(
      'upgrade',
      createUpgradeHandler({
        portForward,
        registry,
        resources,
        authorize: (req, authorization) =>
          authenticateAndAuthorize(req, { auth, authorizer }, authorization),
        handler: (req, res) => {
          void handler(req, res);
        },
        log,
      }),
    );
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolveListen());
    });
    undo.push(
      () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    );
    undo.push(() => hub.stop());
    undo.push(() => portForward.close());
    const port = (server.address() as AddressInfo).port;
    const host = ['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(config.host)
      ? '127.0.0.1'
      : config.host;
    const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;

    externalUrl = url;
    bootstrapCluster(service, registry, allocator.firstIp, port);
    reconcileBootstrapPolicy(service, registry, {
      nodeAuthorizer: config.authorizationMode.includes('Node'),
    });
    const aggregation = new ClusterRoleAggregation(
      store,
      registry.get('rbac.authorization.k8s.io', 'v1', 'clusterroles'),
      service,
      log,
    );
    aggregation.reconcile();
    undo.push(() => aggregation.close());
    const namespaces = new NamespaceFinalizer(store, registry, service, log);
    const crds = new CrdController(store, registry, schemas, service, clock, log);
    const collector = new GarbageCollector(store, registry, service, log);
    const reaper = config.podGraceReaper
      ? new PodGraceReaper(
          store,
          registry.get('', 'v1', 'pods'),
          service,
          clock,
          config.podStopSeconds,
          log,
        )
      : undefined;
    const timers = [
      setInterval(() => {
        reaper?.reap();
        namespaces.reconcile();
        crds.resync();
      }, SWEEP_INTERVAL_MS),
      setInterval(
        () => store.compact(config.retainRevisions, config.retainMs),
        config.compactIntervalMs,
      ),
    ];
    timers.forEach((t) => t.unref());
    undo.push(() => {
      shuttingDown = true;
      timers.forEach((t) => clearInterval(t));
      namespaces.stop();
      crds.stop();
      collector.stop();
      reaper?.stop();
    });
    const kubeconfigPath = join(dataDir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, {
      server: url,
      caCert: certificates.caCert,
      token: adminToken,
    });
    started = true;

    let closed: Promise<void> | undefined;
    return {
      url,
      port,
      kubeconfigPath,
      adminToken,
      caCert: certificates.caCert,
      tokenFor: (user) => tokenFile.tokenFor(user),
      nodeTokenKeyFile,
      nodeToken: (nodeName) => nodeToken(nodeTokenKey, nodeName),
      compact: () => store.compactAll(),
      closeWatches: () => hub.closeAll(),
      close: () => (closed ??= release()),
    };
  } catch (error) {
    await release();
    throw error;
  }
}
