import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { Clock } from '@app/common';
import type { PatchType, ResourceService, WriteOptions } from '../api/resource-service';
import { listObjects } from '../api/list-objects';
import { parseListOptions } from '../api/list-options';
import { bindPod } from '../api/pod-binding';
import { cannotBeHandled, parseFieldValidation, reportPrunedFields } from '../api/field-validation';
import { isPlainObject, type KubeObject } from '../object/types';
import { KubeError, invalid, methodNotAllowed, type FieldError } from '../errors/kube-error';
import type { ObjectStore } from '../storage/object-store';
import type { ProxySubresource } from '../proxy/proxy-subresource';
import {
  STREAMING_SUBRESOURCES,
  notSupportedBySimulatedKubelet,
  portForwardNotUpgraded,
} from './streaming-subresources';
import { openWatch, type WatchTimings } from '../watch/open-watch';
import type { ServiceAccountAdmission } from '../admission/service-account-admission';
import type { EvictionSubresource } from '../api/eviction';
import type { ScaleSubresource } from '../api/scale-subresource';
import { JsonWatchEncoding, ProtobufWatchEncoding } from '../watch/watch-encoding';
import { HttpWatchSink, WebSocketWatchSink, type WatchSink } from '../watch/watch-sink';
import type { WatchHub } from '../watch/watch-hub';
import { deleteOptionsFrom } from './delete-options';
import { negotiateOutput, notAcceptable, type OutputFormat } from './negotiation';
import { queryBool } from '../api/query-params';
import {
  decodeDeleteOptionsBody,
  decodeObjectBody,
  decodePatchBody,
  protobufCapable,
  readBody,
} from './request-body';
import {
  encodingFor,
  sendEncoded,
  successStatus,
  warningHeaders,
  type Encoding,
} from './responses';
import { responseView, type ResponseView } from './response-views';
import type { ResourceRoute } from './route';
import type { ReviewHandler } from './review-handler';
import type { ProbedSource } from './probed-source';
import type { TokenRequestHandler } from './token-request';
import { currentUser } from '../auth/request-user';

type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

const FIELD_MANAGER_MAX_LENGTH = 128;

/** The manager of a write without ?fieldManager: the User-Agent up to its first "/" (create.go). */
export function prefixFromUserAgent(userAgent: string | undefined): string {
  let out = '';
  for (const ch of (userAgent ?? '').split('/')[0]) {
    if (!/\p{L}|\p{M}|\p{N}|\p{P}|\p{S}|\p{Zs}/u.test(ch) || (ch !== ' ' && /\s/.test(ch))) {
      continue;
    }
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX_LENGTH) {
      break;
    }
    out += ch;
  }
  return out;
}

/** The route a Scale body is decoded for (autoscaling/v1 Scale, strict field validation included). */
function scaleRoute(route: ResourceRoute): ResourceRoute {
  return {
    ...route,
    type: { ...route.type, group: 'autoscaling', version: 'v1', kind: 'Scale', prune: undefined },
  };
}

/** How one request is answered: its negotiated format and what the body shows (Table, …). */
interface Answer {
  encoding: Encoding;
  view: ResponseView;
}

/** The generic REST path: one handler for every kind, driven by its ResourceType. */
/** Subresources served by their own REST objects rather than the generic object path. */
export interface SubresourceHandlers {
  scale: ScaleSubresource;
  eviction: EvictionSubresource;
  serviceAccounts: ServiceAccountAdmission;
  reviews: ReviewHandler;
  tokens: TokenRequestHandler;
  /** Kinds computed on each GET, by `<group>/<resource>` (ComponentStatus, the metrics API). */
  probes: Record<string, ProbedSource>;
  proxy: ProxySubresource;
}

/** The methods upstream's proxy connecters (pods/proxy, services/proxy) accept. */
const PROXY_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export class ResourceHandler {
  constructor(
    private readonly service: ResourceService,
    private readonly store: ObjectStore,
    private readonly hub: WatchHub,
    private readonly clock: Clock,
    private readonly timings: WatchTimings,
    private readonly subresources: SubresourceHandlers,
  ) {}

  /** Negotiates the response (406 when nothing acceptable) before any work is done. */
  private answer(req: IncomingMessage, route: ResourceRoute, query: URLSearchParams): Answer {
    const format = negotiateOutput(req.headers.accept, {
      protobuf: protobufCapable(route.type),
      conversions: true,
    });
    return {
      encoding: encodingFor(req, query, format),
      view: responseView(route.type, format, query, this.clock),
    };
  }

  /**
   * Handles one request; returns the verb (for metrics). `forceWatch` serves the legacy
   * `/watch/` paths, where a name means `metadata.name=<name>`.
   */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
    forceWatch = false,
  ): Promise<string> {
    const { type, name, subresource } = route;
    const namespace = route.namespace ?? '';
    if (type.warning) {
      res.setHeader('Warning', warningHeaders([type.warning]).Warning);
    }
    if (subresource === 'proxy') {
      if (!PROXY_METHODS.has(req.method ?? '')) {
        throw methodNotAllowed();
      }
      await this.subresources.proxy.serve(req, res, route);
      return 'CONNECT'; // upstream's metrics verb for connecter subresources
    }
    if (subresource !== undefined && STREAMING_SUBRESOURCES.has(subresource)) {
      const pod = this.service.get(type, namespace, name ?? '').object;
      if (subresource === 'portforward') {
        if (req.method !== 'GET' && req.method !== 'POST') {
          throw methodNotAllowed(); // upstream's connecter serves GET and POST only
        }
        throw portForwardNotUpgraded((req.headers.upgrade ?? '').toLowerCase() === 'websocket');
      }
      throw notSupportedBySimulatedKubelet(subresource, pod);
    }
    if (forceWatch) {
      if (type.createOnly || type.probed) {
        // Upstream registers no /watch/ route for storage that cannot be watched.
        throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
      }
      if (req.method !== 'GET' || subresource !== undefined) {
        throw methodNotAllowed();
      }
      const answer = this.answer(req, route, query);
      const options = parseListOptions(query, type, route.namespace, true, name);
      await this.watch(new HttpWatchSink(res), route, options, answer.encoding.format, answer.view);
      return 'WATCH';
    }
    if (type.createOnly) {
      return this.review(req, res, route, query);
    }
    if (type.probed) {
      return this.probe(req, res, route, query);
    }
    const answer = this.answer(req, route, query);
    // `json` is the object's stored text: a plain JSON answer reuses it instead of serialising again.
    const send = (code: number, obj: KubeObject, warnings: string[] = [], json?: string) => {
      const value = answer.view.single(obj);
      const same = value === obj ? json : undefined;
      sendEncoded(res, code, value, answer.encoding, warningHeaders(warnings), same);
    };
    switch (req.method) {
      case 'GET': {
        if (name === undefined) {
          const options = parseListOptions(query, type, route.namespace);
          if (options.watch) {
            await this.watch(
              new HttpWatchSink(res),
              route,
              options,
              answer.encoding.format,
              answer.view,
            );
            return 'WATCH';
          }
          await this.list(res, route, options, answer);
          return 'LIST';
        }
        if (subresource === 'scale') {
          sendEncoded(
            res,
            200,
            this.subresources.scale.get(type, namespace, name),
            answer.encoding,
          );
          return 'GET';
        }
        if (subresource !== undefined && subresource !== 'status') {
          throw methodNotAllowed();
        }
        const stored = this.service.get(type, namespace, name);
        send(200, stored.object, [], stored.json);
        return 'GET';
      }
      case 'POST': {
        const body = await readBody(req);
        if (name === undefined) {
          const options = this.writeOptions(req, query, 'CreateOptions');
          const object = this.decode(body, req, route, options);
          await this.subresources.serviceAccounts.awaitServiceAccount(type, namespace, object);
          options.ownedBody = true; // decoded for this request alone: no copy needed
          const result = this.service.create(type, namespace, object, options);
          send(201, result.object, options.warnings, result.json);
          return 'CREATE';
        }
        if (subresource === 'eviction') {
          // Validated as the CreateOptions of the eviction (dryRun).
          this.writeOptions(req, query, 'CreateOptions');
          const eviction = decodeObjectBody(body, req.headers['content-type'], {
            type: { ...type, kind: 'Eviction', group: 'policy', version: 'v1' },
            options: {},
          });
          const result = this.subresources.eviction.evict(
            namespace,
            name,
            eviction,
            query.getAll('dryRun'),
          );
          sendEncoded(res, result.code, result.status, answer.encoding);
          return 'CREATE';
        }
        if (subresource === 'token') {
          this.writeOptions(req, query, 'CreateOptions');
          const request = decodeObjectBody(body, req.headers['content-type'], {
            type: { ...type, group: 'authentication.k8s.io', kind: 'TokenRequest' },
            options: {},
          });
          const dryRun = query.getAll('dryRun').length > 0;
          const result = this.subresources.tokens.create(namespace, name, request, dryRun);
          sendEncoded(res, 201, result, answer.encoding);
          return 'CREATE';
        }
        if (subresource === 'binding') {
          const options = this.writeOptions(req, query, 'CreateOptions');
          const binding = decodeObjectBody(body, req.headers['content-type'], {
            type: { ...type, kind: 'Binding' },
            options: {},
          });
          this.bind(res, route, binding, options, answer);
          return 'CREATE';
        }
        throw methodNotAllowed();
      }
      case 'PUT': {
        if (name !== undefined && subresource === 'scale') {
          const options = this.writeOptions(req, query, 'UpdateOptions');
          const scale = this.decode(await readBody(req), req, scaleRoute(route), options);
          const updated = this.subresources.scale.update(type, namespace, name, scale, options);
          sendEncoded(res, 200, updated, answer.encoding, warningHeaders(options.warnings));
          return 'UPDATE';
        }
        if (
          name === undefined ||
          (subresource !== undefined && subresource !== 'status' && subresource !== 'finalize')
        ) {
          throw methodNotAllowed();
        }
        const options = this.writeOptions(req, query, 'UpdateOptions');
        const object = this.decode(await readBody(req), req, route, options);
        options.ownedBody = true;
        const result = this.service.update(type, namespace, name, object, subresource, options);
        send(200, result.object, options.warnings, result.json);
        return 'UPDATE';
      }
      case 'PATCH': {
        if (
          name === undefined ||
          (subresource !== undefined && subresource !== 'status' && subresource !== 'scale')
        ) {
          throw methodNotAllowed();
        }
        const { patchType, patch, strictErrors } = decodePatchBody(
          await readBody(req),
          req.headers['content-type'],
          type,
        );
        const options = this.writeOptions(req, query, 'PatchOptions', patchType);
        options.strictErrors = strictErrors;
        if (subresource === 'scale') {
          const scale = this.subresources.scale.patch(
            type,
            namespace,
            name,
            patchType,
            patch,
            options,
          );
          sendEncoded(res, 200, scale, answer.encoding, warningHeaders(options.warnings));
          return 'PATCH';
        }
        if (patchType === 'apply') {
          await this.subresources.serviceAccounts.awaitServiceAccount(type, namespace, patch);
        }
        const result = this.service.patch(
          type,
          namespace,
          name,
          patchType,
          patch,
          subresource,
          options,
        );
        send(result.created ? 201 : 200, result.object, options.warnings, result.json);
        return patchType === 'apply' ? 'APPLY' : 'PATCH';
      }
      case 'DELETE': {
        const body = decodeDeleteOptionsBody(await readBody(req), req.headers['content-type']);
        const options = deleteOptionsFrom(body, query);
        if (name === undefined) {
          await this.deleteCollection(res, route, query, options, answer);
          return 'DELETECOLLECTION';
        }
        if (subresource !== undefined) {
          throw methodNotAllowed();
        }
        const result = this.service.delete(type, namespace, name, options);
        if (result.removed && type.deleteReturnsStatus) {
          sendEncoded(
            res,
            200,
            successStatus({
              name,
              group: type.group,
              kind: type.resource,
              uid: result.object.metadata.uid,
            }),
            answer.encoding,
          );
        } else {
          // Upstream answers 200 even when deletion is pending (finalizers, grace, namespaces).
          send(200, result.object);
        }
        return 'DELETE';
      }
      case undefined:
      default:
        throw methodNotAllowed();
    }
  }

  /** GET of a probed kind (ComponentStatus, metrics): computed now, nothing stored; no watch. */
  private async probe(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): Promise<string> {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || route.subresource !== undefined) {
      throw methodNotAllowed();
    }
    const source = this.subresources.probes[`${route.type.group}/${route.type.resource}`];
    if (!source) {
      throw methodNotAllowed();
    }
    const answer = this.answer(req, route, query);
    if (route.name !== undefined) {
      const object = await source.get(route.namespace ?? '', route.name);
      sendEncoded(res, 200, answer.view.single(object), answer.encoding);
      return 'GET';
    }
    const options = parseListOptions(query, route.type, route.namespace);
    if (options.watch) {
      throw methodNotAllowed();
    }
    const items = (await source.list(route.namespace)).filter(options.matches).map((object) => ({
      namespace: object.metadata.namespace ?? '',
      name: object.metadata.name ?? '',
      rv: 0,
      object,
      json: JSON.stringify(object),
    }));
    const { value, json } = answer.view.list(items, {});
    sendEncoded(res, 200, value, answer.encoding, {}, json);
    return 'LIST';
  }

  /** POST of a review kind: the object answered with its status, nothing stored. */
  private async review(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): Promise<string> {
    if (req.method !== 'POST' || route.name !== undefined) {
      throw methodNotAllowed();
    }
    const answer = this.answer(req, route, query);
    this.writeOptions(req, query, 'CreateOptions');
    const body = decodeObjectBody(await readBody(req), req.headers['content-type'], {
      type: route.type,
      options: {},
    });
    const user = currentUser();
    if (!user) {
      throw methodNotAllowed();
    }
    const result = this.subresources.reviews.create(route.type, route.namespace ?? '', body, user);
    sendEncoded(res, 201, result, answer.encoding);
    return 'CREATE';
  }

  /**
   * A watch over a WebSocket (HandleWS): the request is negotiated and validated before the
   * upgrade (errors are plain HTTP answers); the returned function serves the upgraded socket.
   */
  prepareWebSocketWatch(
    req: IncomingMessage,
    route: ResourceRoute,
    query: URLSearchParams,
    forceWatch: boolean,
  ): (ws: WebSocket) => Promise<void> {
    const answer = this.answer(req, route, query);
    const options = parseListOptions(
      query,
      route.type,
      route.namespace,
      true,
      forceWatch ? route.name : undefined,
    );
    const format = answer.encoding.format;
    if (!format.streaming) {
      throw notAcceptable({ protobuf: protobufCapable(route.type), conversions: true }, true);
    }
    return (ws) =>
      this.watch(
        new WebSocketWatchSink(ws, format.serializer !== 'protobuf'),
        route,
        options,
        format,
        answer.view,
      );
  }

  /** Whether a request is a watch (WebSocket upgrades of anything else are served as plain HTTP). */
  isWatch(route: ResourceRoute, query: URLSearchParams, forceWatch: boolean): boolean {
    return (
      forceWatch ||
      (route.name === undefined &&
        route.subresource === undefined &&
        (queryBool(query, 'watch') ?? false))
    );
  }

  private decode(
    body: Buffer,
    req: IncomingMessage,
    route: ResourceRoute,
    options: WriteOptions,
  ): unknown {
    const { type } = route;
    // Custom resources are decoded untyped: pruning finds their unknown fields, and schema
    // validation answers wrong types with a 422 naming the field.
    const value = decodeObjectBody(body, req.headers['content-type'], {
      type,
      schema: type.prune
        ? undefined
        : this.service.schemas.typeOf({
            group: type.group,
            version: type.version,
            kind: type.kind,
          }),
      options,
    });
    reportPrunedFields(type, value, options, (message) =>
      cannotBeHandled(type, isPlainObject(value) ? value : undefined, message),
    );
    return value;
  }

  /** Create/Update/PatchOptions from the query, validated as upstream does (422 on the options kind). */
  private writeOptions(
    req: IncomingMessage,
    query: URLSearchParams,
    kind: OptionsKind,
    patchType?: PatchType,
  ): WriteOptions & { warnings: string[] } {
    const errors: FieldError[] = [];
    const dryRun = query.getAll('dryRun');
    if (dryRun.some((v) => v !== 'All')) {
      errors.push({
        field: 'dryRun',
        message: `Unsupported value: []string{${dryRun.map((v) => JSON.stringify(v)).join(', ')}}: supported values: "All"`,
        reason: 'FieldValueNotSupported',
      });
    }
    const fieldManager = query.get('fieldManager') ?? '';
    if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH) {
      errors.push({
        field: 'fieldManager',
        message: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`,
        reason: 'FieldValueTooLong',
      });
    }
    [...fieldManager].forEach((ch, i) => {
      if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u.test(ch) || (ch !== ' ' && /\s/.test(ch))) {
        const code = ch.codePointAt(0) ?? 0;
        errors.push({
          field: 'fieldManager',
          message: `Invalid value: ${JSON.stringify(fieldManager)}: invalid character U+${code.toString(16).toUpperCase().padStart(4, '0')} (at position ${i})`,
        });
      }
    });
    const force = queryBool(query, 'force');
    if (kind === 'PatchOptions') {
      if (patchType === 'apply' && !fieldManager) {
        errors.push({
          field: 'fieldManager',
          message: 'Required value: is required for apply patch',
          reason: 'FieldValueRequired',
        });
      }
      if (patchType !== 'apply' && force !== undefined) {
        errors.push({
          field: 'force',
          message: 'Forbidden: may not be specified for non-apply patch',
          reason: 'FieldValueForbidden',
        });
      }
    }
    if (errors.length > 0) {
      throw invalid(kind, { group: 'meta.k8s.io', resource: kind }, '', errors);
    }
    return {
      dryRun: dryRun.includes('All'),
      fieldManager: fieldManager || prefixFromUserAgent(req.headers['user-agent']),
      force: force ?? false,
      fieldValidation: parseFieldValidation(query.get('fieldValidation'), kind),
      warnings: [],
    };
  }

  private async list(
    res: ServerResponse,
    route: ResourceRoute,
    options: ReturnType<typeof parseListOptions>,
    answer: Answer,
  ): Promise<void> {
    const page = await listObjects(
      this.service.storeOf(route.type),
      this.store,
      options,
      route.type.scope === 'Cluster',
    );
    const meta: Record<string, unknown> = { resourceVersion: String(page.resourceVersion) };
    if (page.continueToken) {
      meta.continue = page.continueToken;
      if (page.remainingItemCount !== undefined) {
        meta.remainingItemCount = page.remainingItemCount;
      }
    }
    const { value, json } = answer.view.list(page.items, meta);
    sendEncoded(res, 200, value, answer.encoding, {}, json);
  }

  private async watch(
    sink: WatchSink,
    route: ResourceRoute,
    options: ReturnType<typeof parseListOptions>,
    format: OutputFormat,
    view: ResponseView,
  ): Promise<void> {
    if (!format.streaming) {
      throw notAcceptable({ protobuf: protobufCapable(route.type), conversions: true }, true);
    }
    const transform = view.watchTransform();
    const encoding =
      format.serializer === 'protobuf'
        ? new ProtobufWatchEncoding(transform)
        : new JsonWatchEncoding(transform);
    await openWatch(
      { sink, route, options, encoding, listBlueprint: () => view.listBlueprint() },
      {
        store: this.store,
        typed: this.service.storeOf(route.type),
        hub: this.hub,
        clock: this.clock,
        timings: this.timings,
      },
    );
  }

  private async deleteCollection(
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
    options: ReturnType<typeof deleteOptionsFrom>,
    answer: Answer,
  ): Promise<void> {
    const listOptions = parseListOptions(query, route.type, route.namespace);
    const page = await listObjects(
      this.service.storeOf(route.type),
      this.store,
      { ...listOptions, limit: undefined, continueToken: undefined },
      route.type.scope === 'Cluster',
    );
    const items = page.items.map((item) => {
      const object = this.service.delete(route.type, item.namespace, item.name, {
        ...options,
        collection: true,
      }).object;
      return {
        namespace: item.namespace,
        name: item.name,
        rv: 0,
        object,
        json: JSON.stringify(object),
      };
    });
    const { value, json } = answer.view.list(items, {
      resourceVersion: String(this.store.currentRv),
    });
    sendEncoded(res, 200, value, answer.encoding, {}, json);
  }

  /** pods/binding: what a scheduler posts to set spec.nodeName (api/pod-binding.ts). */
  private bind(
    res: ServerResponse,
    route: ResourceRoute,
    body: unknown,
    options: WriteOptions,
    answer: Answer,
  ): void {
    const { type, namespace = '', name = '' } = route;
    // The binding REST writes the pod directly in storage, outside the field manager.
    const direct = { ...options, managedFieldsSet: true };
    bindPod(this.service, type, namespace, name, body, direct, this.clock.now());
    // create.go fills in the code of a Status answer that has none.
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
    sendEncoded(res, 201, status, answer.encoding);
  }
}
