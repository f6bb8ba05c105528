import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One row of the result table. */
export type Row = [measurement: string, value: string];

const START = '<!-- cluster:start -->';
const END = '<!-- cluster:end -->';

/** Writes the `cluster` section of docs/benchmarks.md (replacing the previous one). */
export function writeClusterReport(
  root: string,
  rows: Row[],
  run: {
    nodes: number;
    pods: number;
    deploymentReplicas: number;
    scheduled: boolean;
    machine: string;
  },
): void {
  const docs = join(root, 'docs', 'benchmarks.md');
  let text = existsSync(docs) ? readFileSync(docs, 'utf8') : '# Benchmarks\n';
  const body = [
    '## Simulated cluster',
    '',
    `Measured by \`npm run bench:cluster -- --nodes ${run.nodes} --pods ${run.pods} --deployment-replicas ${run.deploymentReplicas}\` (\`bench/cluster/run.ts\`) on ` +
      `${new Date().toISOString().slice(0, 10)}: everything in one process as \`nimbus up\` runs it (cloud API with ` +
      'transitions at 0, throttling off and quotas raised; api-server, in its worker thread; kube-scheduler; kube-controller-manager; CCM; simulated kubelets; ' +
      `kube-proxies) plus the bench's own informers, on a shared machine (${run.machine}). Pods are ` +
      `${run.scheduled ? 'scheduled by the kube-scheduler' : 'bound to nodes round-robin by `spec.nodeName` (`--direct-bind`)'}; ` +
      'each requests 10m CPU / 16Mi and pulls nginx:1.27 once per node (500 ms). The baseline is the raw pod create ' +
      'rate of the same api-server in the same run (pods nobody acts on).',
    '',
    '| Measurement | Nimbus |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ].join('\n');
  const block = `${START}\n\n${body}\n\n${END}`;
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + END.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(docs, text);
  execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', docs], {
    stdio: 'ignore',
  });
}
