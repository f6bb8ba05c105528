import { resolve } from 'node:path';
import { CcmHarness } from '../../apps/cloud-controller-manager/test/harness';
import { writeReport } from './report';
import type { BenchRow, CcmBenchScenario } from './scenario';
import { loadBalancers } from './scenarios/load-balancers';
import { nodesJoin } from './scenarios/nodes-join';
import { volumes } from './scenarios/volumes';

// `npm run bench:ccm [-- <scenario id>…]`: CCM scale scenarios against the in-process stack.
// Scenarios: add yours to this list.
const SCENARIOS: CcmBenchScenario[] = [nodesJoin, loadBalancers, volumes];

const root = resolve(__dirname, '../..');

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const selected = SCENARIOS.filter((s) => wanted.length === 0 || wanted.includes(s.id));
  if (selected.length === 0) {
    throw new Error(
      `no scenario matches ${wanted.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`,
    );
  }
  const results: { scenario: CcmBenchScenario; rows: BenchRow[] }[] = [];
  for (const scenario of selected) {
    const stack = await CcmHarness.start({
      quotas: 'instances=5000,vcpus=50000,loadBalancers=5000,publicIps=10000,routesPerNetwork=5000',
      // Load-balancer addresses for thousands of LBs (the default /24 holds 253).
      lbIpv4Pool: '198.18.0.0/16',
      // The bench measures the CCM, not the cloud's throttling: the default mutation bucket refills
      // 50/s, which alone would take 20 s for 1,000 load-balancer updates.
      rateLimits: 'off',
    });
    try {
      console.log(`# ${scenario.title}`);
      const rows = await scenario.run(stack);
      rows.forEach(([k, v]) => console.log(`${k}: ${v}`));
      results.push({ scenario, rows });
    } finally {
      await stack.close();
    }
  }
  writeReport(root, results);
}

// Exit explicitly: pooled keep-alive sockets of the clients may outlive the servers by a while.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
