import type { Clock } from '@app/common';
import type { KubeObject } from '../object/types';
import { KubeError } from '../errors/kube-error';
import { encodeKubeProtobuf } from '../protobuf/envelope';
import { apiVersionOf, type ResourceType } from '../registry/resource-type';
import type { StoredObject } from '../storage/revision';
import { buildTable, tableOptions, type TableOptions } from '../tables/table-builder';
import type { ObjectTransform } from '../watch/watch-encoding';
import type { OutputFormat } from './negotiation';

/** What a response carries: the object itself, a Table, or PartialObjectMetadata (as=…). */
export interface ResponseView {
  /** A single object (create/get/update/patch/delete results). */
  single(obj: KubeObject): unknown;
  /** A list page; `json` is the plain list's JSON text when it can be built from stored JSON. */
  list(items: StoredObject[], listMeta: Record<string, unknown>): { value: unknown; json?: string };
  /** A per-watch transform of event objects (Tables print their headers only once). */
  watchTransform(): ObjectTransform | undefined;
  /** The initial-events-list-blueprint: the empty list in the negotiated format, base64. */
  listBlueprint(): string;
}

const notAcceptable = (message: string) => new KubeError(406, 'NotAcceptable', message);

function partial(obj: KubeObject, version: string) {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: obj.metadata,
  };
}

export function responseView(
  type: ResourceType,
  format: OutputFormat,
  query: URLSearchParams,
  clock: Clock,
): ResponseView {
  const convert = format.convert;
  const listKind = type.listKind ?? `${type.kind}List`;
  const apiVersion = apiVersionOf(type);
  const goList = `*${type.version}.${listKind}`;
  const blueprint = (kind: string, version: string) => {
    if (format.serializer === 'protobuf') {
      return (encodeKubeProtobuf(version, kind, { metadata: {} }) ?? Buffer.alloc(0)).toString(
        'base64',
      );
    }
    return Buffer.from(
      `{"kind":"${kind}","apiVersion":"${version}","metadata":{},"items":null}\n`,
    ).toString('base64');
  };
  if (convert?.kind === 'Table') {
    const options: TableOptions = tableOptions(convert.version, query.get('includeObject'));
    return {
      single: (obj) =>
        buildTable(type, [obj], clock.now(), options, {
          resourceVersion: obj.metadata.resourceVersion,
        }),
      list: (items, meta) => ({
        value: buildTable(
          type,
          items.map((i) => i.object),
          clock.now(),
          options,
          meta,
        ),
      }),
      watchTransform: () => {
        let first = true;
        return (obj) => {
          const table = buildTable(
            type,
            [obj],
            clock.now(),
            { ...options, noHeaders: !first },
            {
              resourceVersion: obj.metadata.resourceVersion,
            },
          );
          first = false;
          return table;
        };
      },
      listBlueprint: () => blueprint(listKind, apiVersion),
    };
  }
  if (convert?.kind === 'PartialObjectMetadata') {
    return {
      single: (obj) => partial(obj, convert.version),
      list: () => {
        throw notAcceptable(
          `you requested PartialObjectMetadata, but the requested object is a list (${goList})`,
        );
      },
      watchTransform: () => (obj) => partial(obj, convert.version),
      listBlueprint: () => blueprint('PartialObjectMetadataList', `meta.k8s.io/${convert.version}`),
    };
  }
  if (convert?.kind === 'PartialObjectMetadataList') {
    return {
      single: () => {
        throw notAcceptable(
          `you requested PartialObjectMetadataList, but the requested object is not a list (*${type.version}.${type.kind})`,
        );
      },
      list: (items, meta) => ({
        value: {
          kind: 'PartialObjectMetadataList',
          apiVersion: `meta.k8s.io/${convert.version}`,
          metadata: meta,
          items: items.map((i) => partial(i.object, convert.version)),
        },
      }),
      watchTransform: () => (obj) => partial(obj, convert.version),
      listBlueprint: () => blueprint('PartialObjectMetadataList', `meta.k8s.io/${convert.version}`),
    };
  }
  return {
    single: (obj) => obj,
    list: (items, meta) => {
      const value = {
        kind: listKind,
        apiVersion,
        metadata: meta,
        items: items.map((i) => i.object),
      };
      // Items are concatenated from their stored JSON: no re-serialisation of big lists.
      const json = `{"kind":"${listKind}","apiVersion":"${apiVersion}","metadata":${JSON.stringify(meta)},"items":[${items
        .map((i) => i.json)
        .join(',')}]}`;
      return { value, json };
    },
    watchTransform: () => undefined,
    listBlueprint: () => blueprint(listKind, apiVersion),
  };
}
