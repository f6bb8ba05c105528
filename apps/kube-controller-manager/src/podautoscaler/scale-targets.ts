import { apiErrorMessage, isNotFound, type KubeRest, type ScaleObject } from '@app/kube-client';

/** A scale target resolved to its `/scale` path, with the Scale read from it. */
export interface ScaleTarget {
  path: string;
  scale: ScaleObject;
}

/** RESTMappings found no resource for the kind (upstream's NoKindMatchError). */
export class NoKindMatchError extends Error {
  constructor(group: string, kind: string) {
    super(`no matches for kind "${kind}" in group "${group}"`);
    this.name = 'NoKindMatchError';
  }
}

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced?: boolean }[];
}
interface ApiGroup {
  preferredVersion?: { version: string };
}

/**
 * The HPA controller's scale client and REST mapper (client-go `scale` and a discovery-backed
 * RESTMapper): the target's kind becomes a resource through discovery of the group's preferred
 * version — so custom resources with a scale subresource work too — and its Scale is read and
 * written as autoscaling/v1. Found mappings are kept; a miss asks discovery again next time.
 */
export class ScaleTargets {
  private readonly resources = new Map<string, string>();

  constructor(private readonly rest: KubeRest) {}

  /** GET the target's Scale; throws NoKindMatchError, or the api-server's error message. */
  async get(namespace: string, group: string, kind: string, name: string): Promise<ScaleTarget> {
    const base = await this.resourcePath(group, kind);
    const path = `${base.replace('{ns}', encodeURIComponent(namespace))}/${encodeURIComponent(name)}/scale`;
    try {
      return { path, scale: await this.rest.get<ScaleObject>(path) };
    } catch (error) {
      if (isNotFound(error)) {
        // The object, or the kind's resource, is gone: discovery is asked again next time
        // (upstream's mapper is reset every 30 s for a CRD whose version moved).
        this.resources.delete(`${group}/${kind}`);
      }
      throw new Error(apiErrorMessage(error), { cause: error });
    }
  }

  /** PUT the Scale with a new replica count (the read's resourceVersion guards it). */
  async update(target: ScaleTarget, replicas: number): Promise<void> {
    try {
      await this.rest.replace(target.path, {
        ...target.scale,
        spec: { ...target.scale.spec, replicas },
      });
    } catch (error) {
      throw new Error(apiErrorMessage(error), { cause: error });
    }
  }

  /** `/apis/<group>/<version>/namespaces/{ns}/<resource>` for the kind. */
  private async resourcePath(group: string, kind: string): Promise<string> {
    const key = `${group}/${kind}`;
    const known = this.resources.get(key);
    if (known) {
      return known;
    }
    const prefix = await this.groupVersionPrefix(group, kind);
    const list = await this.discover<ApiResourceList>(prefix, group, kind);
    const resource = list.resources?.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!resource) {
      throw new NoKindMatchError(group, kind);
    }
    const path = `${prefix}/namespaces/{ns}/${resource.name}`;
    this.resources.set(key, path);
    return path;
  }

  private async groupVersionPrefix(group: string, kind: string): Promise<string> {
    if (group === '') {
      return '/api/v1';
    }
    const info = await this.discover<ApiGroup>(`/apis/${group}`, group, kind);
    const version = info.preferredVersion?.version;
    if (!version) {
      throw new NoKindMatchError(group, kind);
    }
    return `/apis/${group}/${version}`;
  }

  private async discover<T>(path: string, group: string, kind: string): Promise<T> {
    try {
      return await this.rest.get<T>(path);
    } catch (error) {
      if (isNotFound(error)) {
        throw new NoKindMatchError(group, kind);
      }
      throw error;
    }
  }
}
