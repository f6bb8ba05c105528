import { AdjustableClock } from '@app/common';
import { defineKind } from '../../registry/define-kind';
import { BUILTIN_KINDS, ResourceRegistry } from '../../registry/registry';
import { SchemaRegistry } from '../../schema/schema-registry';
import { OpenApiService } from './openapi-service';

// Kinds defined at run time (CRDs) publish their own schemas; paths and documents follow.
describe('OpenApiService with kinds defined at run time', () => {
  const widget = defineKind({
    group: 'example.com',
    version: 'v1',
    resource: 'widgets',
    kind: 'Widget',
    scope: 'Namespaced',
    subresources: ['status'],
    customResource: true,
  });
  const schema = {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
      spec: { type: 'object', properties: { size: { type: 'integer', format: 'int64' } } },
    },
    'x-kubernetes-group-version-kind': [{ group: 'example.com', kind: 'Widget', version: 'v1' }],
  };

  it('should publish a new group version with paths built from the kind and its schema', () => {
    const schemas = new SchemaRegistry();
    const openapi = new OpenApiService(
      new ResourceRegistry([...BUILTIN_KINDS, widget]),
      schemas,
      new AdjustableClock(),
    );
    const before = openapi.v3Documents().get('apis/example.com/v1');
    expect(JSON.parse(before?.json.toString() ?? '{}').paths).toEqual({});

    schemas.registerDefinitions({ 'com.example.v1.Widget': schema });
    const doc = openapi.v3Documents().get('apis/example.com/v1');
    expect(doc?.etag).not.toBe(before?.etag);
    const v3 = JSON.parse(doc?.json.toString() ?? '{}') as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(v3.paths).sort()).toEqual([
      '/apis/example.com/v1/namespaces/{namespace}/widgets',
      '/apis/example.com/v1/namespaces/{namespace}/widgets/{name}',
      '/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status',
      '/apis/example.com/v1/watch/namespaces/{namespace}/widgets',
      '/apis/example.com/v1/watch/namespaces/{namespace}/widgets/{name}',
      '/apis/example.com/v1/watch/widgets',
      '/apis/example.com/v1/widgets',
    ]);
    const patch = v3.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'example.com',
      kind: 'Widget',
      version: 'v1',
    });
    expect(patch.operationId).toBe('patchExampleComV1NamespacedWidget');
    expect(Object.keys((patch.requestBody as { content: object }).content)).not.toContain(
      'application/strategic-merge-patch+json',
    );
    expect(v3.components.schemas['com.example.v1.Widget']).toEqual(schema);
    expect(v3.components.schemas['com.example.v1.WidgetList']).toMatchObject({
      'x-kubernetes-group-version-kind': [
        { group: 'example.com', kind: 'WidgetList', version: 'v1' },
      ],
    });
    expect(v3.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();

    const v2 = JSON.parse(openapi.v2Document().json.toString()) as {
      paths: Record<string, unknown>;
      definitions: Record<string, { properties: Record<string, { $ref?: string }> }>;
    };
    expect(v2.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}']).toBeDefined();
    expect(v2.definitions['com.example.v1.Widget'].properties.metadata.$ref).toBe(
      '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    );
    // The kind's structure is known to server-side apply and field validation too.
    expect(
      schemas.typeOf({ group: 'example.com', version: 'v1', kind: 'Widget' })?.atom,
    ).toMatchObject({ kind: 'map' });
  });
});
