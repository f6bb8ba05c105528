const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/**
 * A Kubernetes resource.Quantity (`100m`, `1.5`, `128Mi`, `1e3`, `2G`) as a number of base
 * units, or undefined when the text is not a quantity.
 */
export function parseQuantity(text: string | number | undefined): number | undefined {
  if (typeof text === 'number') {
    return Number.isFinite(text) ? text : undefined;
  }
  if (text === undefined) {
    return undefined;
  }
  const m =
    /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/.exec(
      text.trim(),
    );
  if (!m) {
    return undefined;
  }
  const value = Number(m[1]);
  if (m[3] !== undefined) {
    return value * 10 ** Number(m[3]);
  }
  const suffix = m[2] ?? '';
  return value * (BINARY[suffix] ?? DECIMAL[suffix]);
}

/** CPU in millicores (`500m` → 500, `2` → 2000), rounded up as the scheduler does. */
export function milliCpu(text: string | number | undefined): number {
  const cores = parseQuantity(text);
  return cores === undefined ? 0 : Math.ceil(Math.round(cores * 1e9) / 1e6);
}

/** Bytes (`128Mi` → 134217728). */
export function bytesOf(text: string | number | undefined): number {
  const value = parseQuantity(text);
  return value === undefined ? 0 : Math.ceil(value);
}
