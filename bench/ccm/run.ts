import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CcmHarness } from '../../apps/cloud-controller-manager/test/harness';
import { writeReport } from './report';
import type { BenchOptions, BenchRow, CcmBenchScenario } from './scenario';
import { nodesJoin } from './scenarios/nodes-join';
import { routes } from './scenarios/routes';
import { volumes } from './scenarios/volumes';
import { loadBalancers } from './services/scenario';

// `npm run bench:ccm [-- [--runs N] [--services N] <scenario id>…]`: CCM scale scenarios.
// Scenarios: add yours to this list.
const SCENARIOS: CcmBenchScenario[] = [nodesJoin, routes, loadBalancers, volumes];

const root = resolve(__dirname, '../..');

/** The shared in-process stack of the scenarios that do not start their own processes. */
const SHARED_STACK = {
  quotas: 'instances=20000,vcpus=200000,loadBalancers=5000,publicIps=10000,routesPerNetwork=10000',
  lbIpv4Pool: '198.18.0.0/16',
  // The bench measures the CCM, not the cloud's throttling (the default mutation bucket refills 50/s).
  rateLimits: 'off',
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { runs: { type: 'string' }, services: { type: 'string' } },
  });
  const options: BenchOptions = {
    runs: Number(values.runs ?? 3),
    services: values.services === undefined ? undefined : Number(values.services),
  };
  const selected = SCENARIOS.filter((s) => positionals.length === 0 || positionals.includes(s.id));
  if (selected.length === 0) {
    throw new Error(
      `no scenario matches ${positionals.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`,
    );
  }
  const results: { scenario: CcmBenchScenario; rows: BenchRow[] }[] = [];
  for (const scenario of selected) {
    console.log(`# ${scenario.title}`);
    const rows = scenario.ownProcesses
      ? await scenario.run(options)
      : await withSharedStack((stack) => scenario.run(stack, options));
    rows.forEach(([k, v]) => console.log(`${k}: ${v}`));
    results.push({ scenario, rows });
  }
  writeReport(root, results, options);
}

async function withSharedStack(run: (stack: CcmHarness) => Promise<BenchRow[]>) {
  const stack = await CcmHarness.start(SHARED_STACK);
  try {
    return await run(stack);
  } finally {
    await stack.close();
  }
}

// Exit explicitly: pooled keep-alive sockets of the clients may outlive the servers by a while.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
