import { CloudApiConfig, collectNames, nimbusOption, validateConfig } from '@app/config';
import type { Command } from 'commander';
import { startCloudApi, type RunningCloudApi } from '../../../cloud-api/src/start-cloud-api';
import { plainHttpWarning } from '../../../cloud-api/src/tls/serving-tls';
import { closeOnSignals } from '../shutdown';

export function registerCloudApiCommand(program: Command): void {
  program
    .command('cloud-api')
    .description('Run the fake cloud API (Swagger UI at /docs)')
    .addOption(nimbusOption('--port <port>', 'listen port', '8080'))
    .addOption(
      nimbusOption(
        '--host <host>',
        'listen address (beyond loopback, serve HTTPS: tokens cross the network)',
        '127.0.0.1',
      ),
    )
    .addOption(
      nimbusOption(
        '--tls [mode]',
        'HTTPS with a CA and certificate generated in the data dir (auto; --tls alone = auto) or off',
      ),
    )
    .addOption(
      nimbusOption('--tls-cert <file>', 'HTTPS with your certificate (PEM, chain allowed)'),
    )
    .addOption(nimbusOption('--tls-key <file>', 'the private key of --tls-cert (PEM, unencrypted)'))
    .addOption(
      nimbusOption(
        '--tls-san <names>',
        'extra IPs/DNS names of the generated certificate, comma-separated or repeated (e.g. host.docker.internal)',
      ).argParser(collectNames),
    )
    .addOption(nimbusOption('--data-dir <dir>', 'state directory (cloud.sqlite)', '.nimbus'))
    .addOption(nimbusOption('--token <token>', 'fixed bearer token of the default project'))
    .addOption(nimbusOption('--admin-token <token>', 'fixed admin token'))
    .addOption(nimbusOption('--log-level <level>', 'trace|debug|info|warn|error|silent', 'info'))
    .addOption(nimbusOption('--seed <seed>', 'seed for deterministic IDs and addresses'))
    .addOption(
      nimbusOption(
        '--transition-ms <ms>',
        'override every state-transition duration (0 = immediate)',
      ),
    )
    .addOption(
      nimbusOption(
        '--terminated-retention <duration>',
        'how long terminated instances stay visible',
        '1h',
      ),
    )
    .addOption(
      nimbusOption(
        '--audit-retention <duration>',
        'how long audit-log entries and change-stream events are kept (clock time)',
        '24h',
      ),
    )
    .addOption(
      nimbusOption(
        '--events-heartbeat <duration>',
        'keep-alive comment interval of the event stream',
        '15s',
      ),
    )
    .addOption(
      nimbusOption(
        '--catalog <file>',
        'JSON file replacing the built-in regions, zones and instance types',
      ),
    )
    .addOption(
      nimbusOption('--network-cidr <cidr>', 'default network CIDR of every project', '10.0.0.0/16'),
    )
    .addOption(
      nimbusOption('--quotas <limits>', 'default quota limits, e.g. instances=20,vcpus=64'),
    )
    .addOption(
      nimbusOption(
        '--lb-ipv4-pool <cidr>',
        'public IPv4 pool of load balancers (/16 to /30)',
        '203.0.113.0/24',
      ),
    )
    .addOption(
      nimbusOption(
        '--lb-ipv6-pool <cidr>',
        'public IPv6 pool of load balancers (/96 to /126)',
        '2001:db8:1000::/112',
      ),
    )
    .addOption(
      nimbusOption(
        '--lb-bind <address>',
        'listen for load balancers on this address (e.g. a LAN IP) instead of their 127/8 loopback addresses',
      ),
    )
    .addOption(
      nimbusOption(
        '--data-plane-thread [bool]',
        "run load balancers' listeners and health checks in a worker thread (false: on the API's event loop)",
        'true',
      ),
    )
    .addOption(
      nimbusOption(
        '--rate-limits <limits>',
        'off, or class=capacity:refillPerSecond for reads, mutations, instanceCreates (e.g. reads=100:20)',
      ),
    )
    .action(async (options: Record<string, unknown>) => {
      const config = validateConfig(CloudApiConfig, options);
      const server = await startCloudApi(config);
      process.stdout.write(cloudApiBanner(server, config));
      closeOnSignals(() => server.close());
    });
}

export function cloudApiBanner(server: RunningCloudApi, config: CloudApiConfig): string {
  const { token, adminToken } = server.generatedTokens;
  const tokenLine = token
    ? `  token:        ${token}   (generated now and shown once; fix it with NIMBUS_TOKEN)`
    : config.token
      ? '  token:        from NIMBUS_TOKEN / --token'
      : '  token:        generated at first start (set NIMBUS_TOKEN to fix one)';
  const adminLine = adminToken
    ? `  admin token:  ${adminToken}   (shown once; fix it with NIMBUS_ADMIN_TOKEN)`
    : config.adminToken
      ? '  admin token:  from NIMBUS_ADMIN_TOKEN / --admin-token'
      : '  admin token:  generated at first start (set NIMBUS_ADMIN_TOKEN to fix one)';
  return [
    '',
    `Nimbus cloud API listening on ${server.url}${server.url.includes(server.listening) ? '' : `   (bound to ${server.listening})`}`,
    `  Swagger UI:   ${server.url}/docs   (Authorize with the token below)`,
    `  OpenAPI:      ${server.url}/openapi.json`,
    ...tlsLines(server, config),
    tokenLine,
    adminLine,
    `  data:         ${config.dataDir}`,
    `  LBs answer:   ${config.lbBind ? `on ${config.lbBind}, a port per listener` : 'at 127.X.c.d of their IP a.b.c.d (X = b, or a if b is 0)'}; \`nimbus lb-address <lb-id|ip>\` prints where`,
    '',
    '',
  ].join('\n');
}

/** Where the CA is and how clients use it; or why plain HTTP beyond loopback is a risk. */
function tlsLines(server: RunningCloudApi, config: CloudApiConfig): string[] {
  const tls = server.tls;
  if (!tls) {
    const warning = plainHttpWarning(config.host);
    return warning ? [`  WARNING:      ${warning}`] : [];
  }
  const lines =
    tls.mode === 'files'
      ? [`  TLS:          your certificate ${tls.certFile}`]
      : tls.caFile
        ? [
            `  CA:           ${tls.caFile}   (clients trust it: curl --cacert, --cloud-ca-file)`,
            `  certificate:  ${tls.certFile}   (names: localhost, 127.0.0.1, ::1, --host, --tls-san)`,
          ]
        : ['  CA:           generated in memory (--data-dir :memory:); clients cannot trust it'];
  return [...lines, ...tls.warnings.map((w) => `  WARNING:      ${w}`)];
}
