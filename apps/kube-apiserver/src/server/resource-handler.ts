import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '@app/common';
import type { ResourceService, WriteOptions } from '../api/resource-service';
import { listObjects } from '../api/list-objects';
import { bindPod } from '../api/pod-binding';
import { checkStrictFields } from '../api/strict-fields';
import { parseListOptions, type ListOptions } from '../api/list-options';
import type { KubeObject } from '../api/types';
import { methodNotAllowed } from '../errors/kube-error';
import { apiVersionOf } from '../registry/resource-type';
import type { ObjectStore } from '../storage/object-store';
import { buildTable, tableRequested, type TableOptions } from '../tables/table-builder';
import type { WatchHub } from '../watch/watch-hub';
import { checkDryRun, deleteOptionsFrom } from './delete-options';
import { decodeObjectBody, decodePatchBody, readBody } from './request-body';
import { sendJson, successStatus } from './responses';
import type { ResourceRoute } from './route';
import { openWatch, type WatchTimings } from '../watch/open-watch';
import type { ServiceAccountAdmission } from '../admission/service-account-admission';
import type { EvictionSubresource } from '../api/eviction';
import type { ScaleSubresource } from '../api/scale-subresource';

/** The generic REST path: one handler for every kind, driven by its ResourceType. */
/** Subresources served by their own REST objects rather than the generic object path. */
export interface SubresourceHandlers {
  scale: ScaleSubresource;
  eviction: EvictionSubresource;
  serviceAccounts: ServiceAccountAdmission;
}

export class ResourceHandler {
  constructor(
    private readonly service: ResourceService,
    private readonly store: ObjectStore,
    private readonly hub: WatchHub,
    private readonly clock: Clock,
    private readonly timings: WatchTimings,
    private readonly subresources: SubresourceHandlers,
  ) {}

  /** Handles one request; returns the verb (for metrics). */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): Promise<string> {
    const { type, name, subresource } = route;
    const namespace = route.namespace ?? '';
    const table = tableRequested(req.headers.accept, query.get('includeObject'));
    switch (req.method) {
      case 'GET': {
        if (name === undefined) {
          const options = parseListOptions(query, type, route.namespace);
          if (options.watch) {
            this.watch(res, route, options, table);
            return 'WATCH';
          }
          this.list(res, route, options, table);
          return 'LIST';
        }
        if (subresource === 'scale') {
          sendJson(res, 200, this.subresources.scale.get(type, namespace, name));
          return 'GET';
        }
        if (subresource !== undefined && subresource !== 'status') {
          throw methodNotAllowed();
        }
        this.sendObject(res, 200, route, this.service.get(type, namespace, name).object, table);
        return 'GET';
      }
      case 'POST': {
        const body = await readBody(req);
        if (name === undefined) {
          const object = decodeObjectBody(body, req.headers['content-type'], [type.kind]);
          checkStrictFields(type, object, query);
          await this.subresources.serviceAccounts.awaitServiceAccount(type, namespace, object);
          const result = this.service.create(type, namespace, object, this.writeOptions(query));
          this.sendObject(res, 201, route, result.object, table);
          return 'CREATE';
        }
        if (subresource === 'eviction') {
          const eviction = decodeObjectBody(body, req.headers['content-type'], ['Eviction']);
          checkDryRun(query.getAll('dryRun'));
          const result = this.subresources.eviction.evict(
            namespace,
            name,
            eviction,
            query.getAll('dryRun'),
          );
          sendJson(res, result.code, result.status);
          return 'CREATE';
        }
        if (subresource === 'binding') {
          this.bind(res, route, decodeObjectBody(body, req.headers['content-type'], []), query);
          return 'CREATE';
        }
        throw methodNotAllowed();
      }
      case 'PUT': {
        if (name !== undefined && subresource === 'scale') {
          const scale = decodeObjectBody(await readBody(req), req.headers['content-type'], []);
          const updated = this.subresources.scale.update(
            type,
            namespace,
            name,
            scale,
            this.writeOptions(query),
          );
          sendJson(res, 200, updated);
          return 'UPDATE';
        }
        if (
          name === undefined ||
          (subresource !== undefined && subresource !== 'status' && subresource !== 'finalize')
        ) {
          throw methodNotAllowed();
        }
        const object = decodeObjectBody(await readBody(req), req.headers['content-type'], []);
        checkStrictFields(type, object, query);
        const result = this.service.update(
          type,
          namespace,
          name,
          object,
          subresource,
          this.writeOptions(query),
        );
        this.sendObject(res, 200, route, result.object, table);
        return 'UPDATE';
      }
      case 'PATCH': {
        if (
          name === undefined ||
          (subresource !== undefined && subresource !== 'status' && subresource !== 'scale')
        ) {
          throw methodNotAllowed();
        }
        const { patchType, patch } = decodePatchBody(
          await readBody(req),
          req.headers['content-type'],
        );
        if (subresource === 'scale') {
          const scale = this.subresources.scale.patch(
            type,
            namespace,
            name,
            patchType,
            patch,
            this.writeOptions(query),
          );
          sendJson(res, 200, scale);
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
          this.writeOptions(query),
        );
        this.sendObject(res, result.created ? 201 : 200, route, result.object, table);
        return patchType === 'apply' ? 'APPLY' : 'PATCH';
      }
      case 'DELETE': {
        const body = decodeObjectBody(await readBody(req), req.headers['content-type'], [
          'DeleteOptions',
        ]);
        const options = deleteOptionsFrom(body, query);
        if (name === undefined) {
          this.deleteCollection(res, route, query, options);
          return 'DELETECOLLECTION';
        }
        if (subresource !== undefined) {
          throw methodNotAllowed();
        }
        const result = this.service.delete(type, namespace, name, options);
        if (result.removed && type.deleteReturnsStatus) {
          sendJson(
            res,
            200,
            successStatus({
              name,
              group: type.group,
              kind: type.resource,
              uid: result.object.metadata.uid,
            }),
          );
        } else {
          // Upstream answers 200 even when deletion is pending (finalizers, grace, namespaces).
          this.sendObject(res, 200, route, result.object, undefined);
        }
        return 'DELETE';
      }
      case undefined:
      default:
        throw methodNotAllowed();
    }
  }

  private writeOptions(query: URLSearchParams): WriteOptions {
    return {
      dryRun: checkDryRun(query.getAll('dryRun')),
      fieldManager: query.get('fieldManager') ?? undefined,
      force: query.get('force') === 'true',
    };
  }

  private sendObject(
    res: ServerResponse,
    code: number,
    route: ResourceRoute,
    obj: KubeObject,
    table: TableOptions | undefined,
  ): void {
    if (table) {
      sendJson(
        res,
        code,
        buildTable(route.type, [obj], this.clock.now(), table, {
          resourceVersion: obj.metadata.resourceVersion,
        }),
      );
    } else {
      sendJson(res, code, obj);
    }
  }

  private list(
    res: ServerResponse,
    route: ResourceRoute,
    options: ListOptions,
    table: TableOptions | undefined,
  ): void {
    const page = listObjects(this.service.storeOf(route.type), this.store.currentRv, options);
    const meta: Record<string, unknown> = { resourceVersion: String(page.resourceVersion) };
    if (page.continueToken) {
      meta.continue = page.continueToken;
      meta.remainingItemCount = page.remainingItemCount;
    }
    if (table) {
      sendJson(
        res,
        200,
        buildTable(
          route.type,
          page.items.map((i) => i.object),
          this.clock.now(),
          table,
          meta,
        ),
      );
      return;
    }
    // Items are concatenated from their stored JSON: no re-serialisation of big lists.
    const { type } = route;
    const head = `{"kind":"${type.kind}List","apiVersion":"${apiVersionOf(type)}","metadata":${JSON.stringify(meta)},"items":[`;
    sendJson(res, 200, `${head}${page.items.map((i) => i.json).join(',')}]}`);
  }

  private watch(
    res: ServerResponse,
    route: ResourceRoute,
    options: ListOptions,
    table: TableOptions | undefined,
  ): void {
    openWatch(res, route, options, table, {
      store: this.store,
      typed: this.service.storeOf(route.type),
      hub: this.hub,
      clock: this.clock,
      timings: this.timings,
    });
  }

  private deleteCollection(
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
    options: ReturnType<typeof deleteOptionsFrom>,
  ): void {
    const listOptions = parseListOptions(query, route.type, route.namespace);
    const page = listObjects(this.service.storeOf(route.type), this.store.currentRv, {
      ...listOptions,
      limit: undefined,
      continueToken: undefined,
    });
    const items: KubeObject[] = [];
    for (const item of page.items) {
      items.push(this.service.delete(route.type, item.namespace, item.name, options).object);
    }
    const { type } = route;
    sendJson(res, 200, {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(this.store.currentRv) },
      items,
    });
  }

  /** pods/binding: what a scheduler posts to set spec.nodeName (api/pod-binding.ts). */
  private bind(
    res: ServerResponse,
    route: ResourceRoute,
    body: unknown,
    query: URLSearchParams,
  ): void {
    const { type, namespace = '', name = '' } = route;
    bindPod(this.service, type, namespace, name, body, this.writeOptions(query), this.clock.now());
    sendJson(res, 201, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      code: 201,
    });
  }
}
