import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions, BenchRow, CcmBenchScenario } from './scenario';

const SECTION_START = '<!-- ccm:start -->';
const SECTION_END = '<!-- ccm:end -->';

const table = (rows: BenchRow[]) =>
  ['| Measurement | Nimbus |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');

/** Replaces `<!-- start -->…<!-- end -->` in `text`, or appends the block. */
function replaceBlock(text: string, start: string, end: string, body: string): string {
  const block = `${start}\n\n${body.trim()}\n\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) {
    return text.slice(0, from) + block + text.slice(to + end.length);
  }
  return `${text.trimEnd()}\n\n${block}\n`;
}

const UPSTREAM = [
  '| Anchor | Value |',
  '|---|---|',
  '| Target (issue 6), cloud transitions at 0 | 500 nodes initialised < 10 s; 1,000 LB services with ingress < 10 s |',
  '| Upstream defaults | `--concurrent-node-syncs` 1, `--concurrent-service-syncs` 1, client QPS 20 / burst 30 |',
  '| cloud-provider-kind | node controller and service controller with 5 workers each |',
  '| GCE scale tests | service controller with 5 workers (kubernetes/kubernetes#122286) |',
  '| kwok | "create 20 nodes or pods per second" |',
].join('\n');

/**
 * Writes the `ccm` section of docs/benchmarks.md. Each scenario has its own sub-block
 * (`<!-- ccm-<id>:start -->`), so running one scenario leaves the others' last results in place.
 */
export function writeReport(
  root: string,
  results: { scenario: CcmBenchScenario; rows: BenchRow[] }[],
  options: BenchOptions,
) {
  const docs = join(root, 'docs', 'benchmarks.md');
  let text = existsSync(docs) ? readFileSync(docs, 'utf8') : '# Benchmarks\n';
  if (!text.includes(SECTION_START)) {
    const header = [
      '## cloud-controller-manager',
      '',
      'Measured by `npm run bench:ccm` (`bench/ccm/run.ts`), on the same machine',
      `(${cpus().length} cores, Node ${process.version}). Every scenario runs the built-in api-server, the cloud API`,
      '(`--transition-ms 0`) and the CCM in one Node process (one event loop, as `nimbus up` runs them), started',
      'through the e2e harness: CCM logs off, and unless a scenario says otherwise leader election off',
      '(`--leader-elect=false`), cloud throttling off (`--rate-limits off`), quotas raised. Reference figures',
      '(performance.md):',
      '',
      UPSTREAM,
    ].join('\n');
    text = replaceBlock(text, SECTION_START, SECTION_END, header);
  }
  for (const { scenario, rows } of results) {
    const body = [
      `### ${scenario.title}`,
      '',
      `Measured on ${new Date().toISOString().slice(0, 10)} (5-minute load average ${loadavg()[1].toFixed(1)} on ${cpus().length} cores when written). ${scenario.describe(options)}`,
      '',
      table(rows),
    ].join('\n');
    const start = `<!-- ccm-${scenario.id}:start -->`;
    const end = `<!-- ccm-${scenario.id}:end -->`;
    if (text.includes(start)) {
      text = replaceBlock(text, start, end, body);
    } else {
      // New scenarios go at the end of the ccm section.
      const at = text.indexOf(SECTION_END);
      text = `${text.slice(0, at)}${start}\n\n${body}\n\n${end}\n\n${text.slice(at)}`;
    }
  }
  writeFileSync(docs, text);
  execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', docs], {
    stdio: 'ignore',
  });
}
