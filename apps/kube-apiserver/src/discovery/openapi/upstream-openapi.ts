import { readVendoredJson } from '../../vendored';

export type Json = Record<string, unknown>;

/** The vendored Kubernetes 1.32 OpenAPI documents (GA group versions only). */
export interface UpstreamOpenApi {
  kubernetesVersion: string;
  /** swagger.json: swagger, info, paths, definitions, parameters, security, securityDefinitions. */
  v2: Json & { paths: Record<string, Json>; definitions: Json; parameters: Json };
  v3: {
    /** Component schemas, shared by all group-version documents. */
    schemas: Json;
    /** "api/v1", "apis/apps/v1", …: openapi, info and paths of each document. */
    documents: Record<string, Json & { paths: Record<string, Json> }>;
  };
}

let bundle: UpstreamOpenApi | undefined;

/** Loaded on first use and shared by every server in the process (~6 MB of JSON). */
export function upstreamOpenApi(): UpstreamOpenApi {
  return (bundle ??= readVendoredJson<UpstreamOpenApi>('openapi', 'kubernetes-openapi.json.br'));
}
