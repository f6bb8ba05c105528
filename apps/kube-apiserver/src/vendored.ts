import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

let root: string | undefined;

/**
 * The vendored upstream Kubernetes definitions (apps/kube-apiserver/vendor/kubernetes). Found from
 * both the sources and the compiled dist/ tree, which live at different depths.
 */
export function vendoredPath(...parts: string[]): string {
  if (!root) {
    for (let dir = __dirname; ; dir = dirname(dir)) {
      const candidates = [
        join(dir, 'vendor', 'kubernetes'),
        join(dir, 'apps', 'kube-apiserver', 'vendor', 'kubernetes'),
      ];
      root = candidates.find((c) => existsSync(join(c, 'README.md')));
      if (root || dirname(dir) === dir) {
        break;
      }
    }
    if (!root) {
      throw new Error(`vendored Kubernetes definitions not found above ${__dirname}`);
    }
  }
  return join(root, ...parts);
}

/** A vendored JSON file (`.br` files are brotli-compressed). */
export function readVendoredJson<T>(...parts: string[]): T {
  const path = vendoredPath(...parts);
  const raw = readFileSync(path);
  return JSON.parse((path.endsWith('.br') ? brotliDecompressSync(raw) : raw).toString('utf8')) as T;
}
