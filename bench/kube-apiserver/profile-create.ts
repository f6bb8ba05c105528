import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchClient } from './http-client';
import { parallel, serverCredentials, startServer } from './server-process';
import type { Profile, ProfileNode } from '../shared/cpu-profile';

// Where a create's time goes (issue 15): the api-server runs under `node --cpu-prof` while 10
// clients create ConfigMaps (as bench:kube-apiserver's throughput rounds); the profile's samples
// are then summed per stage, each stage the inclusive time of the functions named below (a
// sample counts once per stage even in recursion; start-up samples are left out). Prints µs
// per create and each stage's share of the profile.
//   npx ts-node -r tsconfig-paths/register --transpile-only bench/kube-apiserver/profile-create.ts [creates]

/** Stage → the functions (name, file ending) whose inclusive time it is. */
const STAGES: [string, [string, string][]][] = [
  ['everything but idle and start-up', [['(root)', '']]],
  ['resource handler (after authorisation)', [['handle', 'resource-handler.ts']]],
  ['authentication + RBAC', [['authenticateAndAuthorize', 'kube-api-handler.ts']]],
  ['body decode + field validation', [['decode', 'resource-handler.ts']]],
  ['ResourceService.create (all below)', [['createObject', 'resource-service.ts']]],
  ['  managedFields', [['update', 'managed-fields.ts']]],
  ['  defaulting + normalising', [['normalize', 'resource-service.ts']]],
  [
    '  admission plugins',
    [
      ['admit', 'admission/'],
      ['admit', 'escalation-check.ts'],
    ],
  ],
  ['  validation', [['validate', 'resource-service.ts']]],
  ['  store write (JSON.stringify + 2 statements)', [['write', 'object-store.ts']]],
  ['response encode', [['encodeBody', 'responses.ts']]],
  [
    'end of turn: COMMIT, then answers and watch events (all below)',
    [['flush', 'object-store.ts']],
  ],
  ['  responses written (TLS, socket)', [['end', '_http_outgoing']]],
  ['  watch fan-out', [['dispatch', 'watch-hub.ts']]],
  ['garbage collector (V8)', [['(garbage collector)', '']]],
];

const STARTUP = new Set(['executeUserEntryPoint', 'Module._load', 'startKubeApiServer']);

function stageTimes(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) {
      parent.set(c, n.id);
    }
  }
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const out = new Map<string, number>();
  for (const [id, micros] of selfTime) {
    const frames: ProfileNode['callFrame'][] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      frames.push(byId.get(cur)!.callFrame);
    }
    if (byId.get(id)!.callFrame.functionName === '(idle)') {
      continue;
    }
    // Start-up (loading and compiling modules, building the server) is not part of a create.
    if (frames.some((f) => STARTUP.has(f.functionName))) {
      continue;
    }
    for (const [stage, fns] of STAGES) {
      const hit = frames.some((f) =>
        fns.some(([name, file]) => f.functionName === name && f.url.includes(file)),
      );
      if (hit) {
        out.set(stage, (out.get(stage) ?? 0) + micros);
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const creates = Number(process.argv[2] ?? 10000);
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-kube-profile-'));
  const profileDir = mkdtempSync(join(tmpdir(), 'nimbus-kube-profile-out-'));
  const server = await startServer(dataDir, ['--cpu-prof', '--cpu-prof-dir', profileDir]);
  try {
    const { ca, token } = serverCredentials(dataDir);
    const client = benchClient(server.url, ca, token, 10);
    const create = (name: string) =>
      client
        .call('POST', '/api/v1/namespaces/default/configmaps', {
          metadata: { name, labels: { bench: 'yes' } },
          data: { key: 'value', other: 'x'.repeat(200) },
        })
        .then((r) => {
          if (r.status !== 201) {
            throw new Error(`create → ${r.status}: ${r.body.slice(0, 300)}`);
          }
        });
    // Warm-up runs in the profile too; its share is small next to `creates`.
    await parallel(3000, 10, (i) => create(`warm-${i}`));
    await parallel(creates, 10, (i) => create(`p-${i}`));
  } finally {
    server.stop(); // SIGTERM: the CLI shuts down and Node writes the profile
    await server.exited;
  }
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    throw new Error('no .cpuprofile written');
  }
  const times = stageTimes(JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as Profile);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(profileDir, { recursive: true, force: true });
  const total = creates + 3000;
  console.log(
    `Server CPU per ConfigMap create (${total} creates from 10 clients, ${cpus().length} cores, Node ${process.version}, load ${loadavg()[0].toFixed(2)}):`,
  );
  // Samples are taken on a wall-clock interval: on a loaded machine time the process spent
  // descheduled lands on whatever ran, so the shares say more than the absolute figures.
  const all = times.get(STAGES[0][0]) ?? 1;
  console.log('| Stage | µs per create | share |\n|---|---|---|');
  for (const [stage] of STAGES) {
    const t = times.get(stage) ?? 0;
    console.log(`| ${stage} | ${(t / total).toFixed(0)} | ${((100 * t) / all).toFixed(0)}% |`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
