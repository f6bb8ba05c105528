/**
 * Virtio block device names as Linux assigns them: vda is the root disk, data volumes get
 * vdb … vdz, then vdaa, vdab … (bijective base 26).
 */
export function deviceName(slot: number): string {
  let letters = '';
  for (let n = slot + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(97 + ((n - 1) % 26)) + letters;
  }
  return `/dev/vd${letters}`;
}

/** The lowest device not in `used`, skipping the root disk (slot 0). */
export function lowestFreeDevice(used: Iterable<string>): string {
  const taken = new Set(used);
  for (let slot = 1; ; slot++) {
    const name = deviceName(slot);
    if (!taken.has(name)) {
      return name;
    }
  }
}

/** Device order (vdb < vdz < vdaa), not string order. */
export function compareDevices(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
