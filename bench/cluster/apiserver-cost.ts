import type { KubeRest } from '@app/kube-client';

// What the api-server spent on a phase: requests and their summed latency per verb and resource
// (apiserver_request_duration_seconds), read from /metrics before and after.

export type RequestCosts = Map<string, { count: number; seconds: number }>;

export async function requestCosts(rest: KubeRest): Promise<RequestCosts> {
  const text = await rest.text('/metrics');
  const out: RequestCosts = new Map();
  for (const line of text.split('\n')) {
    const m = /^apiserver_request_duration_seconds_(sum|count)\{([^}]*)\} (\S+)/.exec(line);
    if (!m) {
      continue;
    }
    const labels = Object.fromEntries(
      [...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    const key = `${labels.verb} ${labels.resource}`;
    const entry = out.get(key) ?? { count: 0, seconds: 0 };
    if (m[1] === 'sum') {
      entry.seconds += Number(m[3]);
    } else {
      entry.count += Number(m[3]);
    }
    out.set(key, entry);
  }
  return out;
}

/**
 * Requests per pod and api-server handler time per pod between two snapshots, the heaviest
 * first (reads and writes; watches are not in the histogram).
 */
export function costPerPod(before: RequestCosts, after: RequestCosts, pods: number): string {
  const rows = [...after]
    .map(([key, a]) => {
      const b = before.get(key) ?? { count: 0, seconds: 0 };
      return {
        key,
        count: (a.count - b.count) / pods,
        ms: ((a.seconds - b.seconds) * 1000) / pods,
      };
    })
    .filter((r) => r.count >= 0.05)
    .sort((x, y) => y.ms - x.ms);
  const total = rows.reduce((s, r) => s + r.ms, 0);
  const top = rows
    .slice(0, 6)
    .map((r) => `${r.key} ${r.count.toFixed(2)} (${r.ms.toFixed(2)} ms)`)
    .join(', ');
  return `${total.toFixed(1)} ms of handler time per pod: ${top}`;
}
