import { formatBinaryQuantity, INT64_MAX, quantityMilliValue, quantityValue } from '@app/csi';
import { isPlainObject, type KubeObject } from '../object/types';

/**
 * What a simulated pod uses, for the resource metrics API: no container runs, so the usage is
 * what the pod's annotations say (`kubectl annotate pod web-… sim.nimbus.dev/cpu-usage=300m`),
 * split evenly over its containers, else an idle container's.
 */
export const CPU_USAGE_ANNOTATION = 'sim.nimbus.dev/cpu-usage';
export const MEMORY_USAGE_ANNOTATION = 'sim.nimbus.dev/memory-usage';
/** An idle container: 1 millicore and 4 MiB. */
const IDLE_CPU_NANOCORES = 1_000_000n;
const IDLE_MEMORY_BYTES = 4n * 1024n * 1024n;

export interface ContainerUsage {
  name: string;
  cpuNanocores: bigint;
  memoryBytes: bigint;
}

/** Load a pod carries for the Services that send it traffic (`service-load.ts`). */
export interface ExtraLoad {
  cpuNanocores: bigint;
  memoryBytes: bigint;
}

/**
 * The pod's running containers with their usage, as metrics-server reports them: its own
 * (annotated or idle) plus its share of its Services' load, split over the containers.
 */
export function podUsage(pod: KubeObject, extra?: ExtraLoad): ContainerUsage[] {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  // Regular containers and sidecars (restartable init containers): what runs alongside.
  const listed = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
  const sidecars = listed(spec.initContainers).filter(
    (c) => isPlainObject(c) && c.restartPolicy === 'Always',
  );
  const names = [...listed(spec.containers), ...sidecars]
    .map((c) => (isPlainObject(c) && typeof c.name === 'string' ? c.name : ''))
    .filter((n) => n !== '');
  const annotations = pod.metadata.annotations ?? {};
  const cpu = annotatedCpu(annotations[CPU_USAGE_ANNOTATION]);
  const memory = annotatedMemory(annotations[MEMORY_USAGE_ANNOTATION]);
  return names.map((name, i) => ({
    name,
    cpuNanocores:
      (cpu === undefined ? IDLE_CPU_NANOCORES : share(cpu, names.length, i)) +
      share(extra?.cpuNanocores ?? 0n, names.length, i),
    memoryBytes:
      (memory === undefined ? IDLE_MEMORY_BYTES : share(memory, names.length, i)) +
      share(extra?.memoryBytes ?? 0n, names.length, i),
  }));
}

/** A CPU quantity annotation in nanocores, or undefined when unusable. */
export const annotatedCpu = (text: unknown) =>
  annotated(text, (t) => quantityMilliValue(t) * 1_000_000n);
/** A memory quantity annotation in bytes, or undefined when unusable. */
export const annotatedMemory = (text: unknown) => annotated(text, quantityValue);

/**
 * The annotation's quantity, or undefined (the idle default) when it is absent, not a quantity,
 * negative or beyond int64 — a pod's annotations must never break the metrics API.
 */
function annotated(text: unknown, parse: (text: string) => bigint): bigint | undefined {
  if (typeof text !== 'string') {
    return undefined;
  }
  try {
    const value = parse(text);
    return value >= 0n && value <= INT64_MAX ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Part `i` of `total` split over `n` (the remainder to the first). */
export function share(total: bigint, n: number, i: number): bigint {
  const count = BigInt(n);
  return total / count + (i === 0 ? total % count : 0n);
}

/** CPU as metrics-server writes it: nanocores, in the canonical form of the quantity. */
export function formatCpu(nanocores: bigint): string {
  if (nanocores % 1_000_000_000n === 0n) {
    return String(nanocores / 1_000_000_000n);
  }
  if (nanocores % 1_000_000n === 0n) {
    return `${nanocores / 1_000_000n}m`;
  }
  if (nanocores % 1_000n === 0n) {
    return `${nanocores / 1_000n}u`;
  }
  return `${nanocores}n`;
}

/** Memory as metrics-server writes it: bytes as a binary-SI quantity (`4Mi`, `12236Ki`). */
export const formatMemory = (bytes: bigint): string => formatBinaryQuantity(bytes);
