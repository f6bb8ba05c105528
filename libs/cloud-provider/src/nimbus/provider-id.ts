import { CloudProviderError } from '../api/errors';

export const NIMBUS_PROVIDER_NAME = 'nimbus';

/** The parts of `nimbus://<project>/<zone>/<instance id>` (the cloud's `providerId`). */
export interface NimbusProviderID {
  project?: string;
  zone?: string;
  instanceId: string;
}

/**
 * True for `nimbus://…`. Any other non-empty provider ID belongs to another provider (kind's
 * `kind://docker/kind/kind-worker`, k3s's `k3s://<node>`): Nimbus looks such nodes up by name.
 */
export function isNimbusProviderID(providerID: string): boolean {
  return providerID.startsWith(`${NIMBUS_PROVIDER_NAME}://`);
}

/**
 * Parses a Nimbus provider ID. Accepts the cloud's form `nimbus://<project>/<zone>/<id>` and the
 * short upstream form `nimbus://<id>`; anything else (another provider's ID) is an error.
 */
export function parseProviderID(providerID: string): NimbusProviderID {
  const prefix = `${NIMBUS_PROVIDER_NAME}://`;
  const rest = providerID.startsWith(prefix) ? providerID.slice(prefix.length) : undefined;
  const parts = rest?.split('/') ?? [];
  const valid = parts.length > 0 && parts.every((p) => p.length > 0) && parts.length !== 2;
  if (rest === undefined || !valid || parts.length > 3) {
    throw new CloudProviderError(
      `providerID "${providerID}" is not a Nimbus provider ID (${prefix}<project>/<zone>/<instance id>)`,
    );
  }
  return parts.length === 3
    ? { project: parts[0], zone: parts[1], instanceId: parts[2] }
    : { instanceId: parts[0] };
}

export function formatProviderID(id: Required<NimbusProviderID>): string {
  return `${NIMBUS_PROVIDER_NAME}://${id.project}/${id.zone}/${id.instanceId}`;
}
