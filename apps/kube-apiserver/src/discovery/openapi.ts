import { createHash } from 'node:crypto';
import type { ResourceRegistry } from '../registry/registry';
import type { ResourceType } from '../registry/resource-type';

function itemPath(k: ResourceType): string {
  const prefix = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  return k.scope === 'Namespaced'
    ? `${prefix}/namespaces/{namespace}/${k.resource}/{name}`
    : `${prefix}/${k.resource}/{name}`;
}

function patchOperation(k: ResourceType) {
  return {
    patch: {
      'x-kubernetes-group-version-kind': { group: k.group, version: k.version, kind: k.kind },
      'x-kubernetes-action': 'patch',
      operationId: `patch${k.kind}`,
      parameters: [
        { name: 'dryRun', in: 'query', schema: { type: 'string' } },
        { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
        { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
        { name: 'force', in: 'query', schema: { type: 'boolean' } },
      ],
      responses: { '200': { description: 'OK' } },
    },
  };
}

interface OpenApiDocument {
  body: string;
  hash: string;
}

/**
 * Minimal OpenAPI v3: a root listing every served group version and, per group version, one
 * PATCH operation per kind with the `fieldValidation` parameter. That makes kubectl skip client
 * validation (the server validates) and compute client-side apply patches from its built-in types.
 */
export class OpenApiV3 {
  private readonly documents = new Map<string, OpenApiDocument>();

  constructor(registry: ResourceRegistry) {
    for (const gv of registry.groupVersions()) {
      const key = gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
      const paths: Record<string, unknown> = {};
      for (const k of registry.kindsOf(gv)) {
        paths[itemPath(k)] = patchOperation(k);
      }
      const body = JSON.stringify({
        openapi: '3.0.0',
        info: { title: 'Kubernetes', version: 'v1.32.0' },
        paths,
        components: { schemas: {} },
      });
      const hash = createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase();
      this.documents.set(key, { body, hash });
    }
  }

  root(): string {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const [key, doc] of this.documents) {
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
    }
    return JSON.stringify({ paths });
  }

  document(key: string): OpenApiDocument | undefined {
    return this.documents.get(key);
  }
}
