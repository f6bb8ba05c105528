/** Quota metrics and their default limits (override with --quotas or per project). */
export const DEFAULT_QUOTAS = {
  instances: 1000,
  vcpus: 4000,
  volumes: 1000,
  volumeGiB: 100_000,
  loadBalancers: 200,
  publicIps: 200,
  routesPerNetwork: 50,
  /** Scoped per instance; the instance type's maxAttachedVolumes caps it further. */
  attachmentsPerInstance: 128,
} as const;

export type QuotaMetric = keyof typeof DEFAULT_QUOTAS;
export const QUOTA_METRICS = Object.keys(DEFAULT_QUOTAS) as QuotaMetric[];

/** Parses `instances=20,vcpus=64` (the --quotas option). */
export function parseQuotaOverrides(
  text: string | undefined,
): Partial<Record<QuotaMetric, number>> {
  const out: Partial<Record<QuotaMetric, number>> = {};
  for (const part of (text ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [metric, value] = part.split('=').map((s) => s.trim());
    if (!QUOTA_METRICS.includes(metric as QuotaMetric) || !/^\d+$/.test(value ?? '')) {
      throw new Error(
        `--quotas: "${part}" must be <metric>=<non-negative integer>; metrics: ${QUOTA_METRICS.join(', ')}`,
      );
    }
    out[metric as QuotaMetric] = Number(value);
  }
  return out;
}
