import type { KubeConfig } from '@kubernetes/client-node';

/**
 * The release the simulated components play. The api-server's `/version` reports the same minor
 * (kubectl's dispatcher picks its client from it).
 */
export const KUBERNETES_GIT_VERSION = 'v1.32.0';
/** The api-server's `/version` reports this commit; client-go's User-Agent carries its first 7. */
export const KUBERNETES_GIT_COMMIT = '0000000000000000000000000000000000000000';

const GO_OS: Partial<Record<NodeJS.Platform, string>> = { win32: 'windows' };
const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' };

/**
 * client-go's `DefaultKubernetesUserAgent` for a component:
 * `kubelet/v1.32.0 (linux/amd64) kubernetes/0000000`. The api-server records what comes before the
 * first `/` as the field manager of a write that names none (so a node's status reads `kubelet`),
 * and the audit log shows the whole string.
 */
export function kubernetesUserAgent(
  command: string,
  gitVersion = KUBERNETES_GIT_VERSION,
  gitCommit = KUBERNETES_GIT_COMMIT,
): string {
  const version = gitVersion.split('-')[0]; // adjustVersion: "v1.32.0-nimbus" → "v1.32.0"
  const commit = gitCommit === '' ? 'unknown' : gitCommit.slice(0, 7); // adjustCommit
  const os = GO_OS[process.platform] ?? process.platform;
  const arch = GO_ARCH[process.arch] ?? process.arch;
  return `${command}/${version} (${os}/${arch}) kubernetes/${commit}`;
}

type ApplyOptions = (opts: { headers?: Record<string, unknown> }) => Promise<void>;

/**
 * `kc` as seen by one component: every request made through it (KubeRest calls, client-node's
 * watches and API clients, which all take their headers from `applyOptions`) carries `userAgent`,
 * as client-go's `rest.Config.UserAgent` does. The view shares `kc`'s clusters, users and
 * connection pool, so components handed one kubeconfig keep their own User-Agents.
 */
export function withUserAgent(kc: KubeConfig, userAgent: string): KubeConfig {
  const base = (kc as unknown as { applyOptions: ApplyOptions }).applyOptions;
  const view = Object.create(kc) as KubeConfig;
  const applyOptions: ApplyOptions = async function (this: KubeConfig, opts) {
    await base.call(this, opts);
    opts.headers = { ...opts.headers, 'User-Agent': userAgent };
  };
  Object.defineProperty(view, 'applyOptions', {
    value: applyOptions,
    writable: true,
    configurable: true,
  });
  return view;
}
