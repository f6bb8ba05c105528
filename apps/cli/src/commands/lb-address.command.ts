import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import {
  cloudClientTlsFromFlags,
  NimbusCloudClient,
  NotFoundError,
  TlsError,
} from '@app/cloud-client';
import { parseDuration } from '@app/common';
import { nimbusOption } from '@app/config';
import type { KubeClient } from '@app/kube-client';
import { CLOUD_CA_FILE } from '../../../cloud-api/src/tls/serving-tls';
import { CCM_TOKEN_FILE } from '../up/ccm-cloud-token';
import { CLOUD_URL_FILE } from '../up/cloud-url-file';
import { addCloudTlsOptions } from './cloud-client-options';
import {
  LbAddressError,
  resolveLbAddress,
  type LbAddressDeps,
  type ServiceView,
} from '../lb-address/resolve-lb-address';

const DEFAULT_CLOUD_URL = 'http://127.0.0.1:8080';

/**
 * `nimbus lb-address <service|lb-id|ip>`: prints the host address:port a load balancer answers
 * at on this machine, so `curl $(nimbus lb-address web)` reaches a LoadBalancer Service.
 */
export function lbAddressCommand(): Command {
  return addCloudTlsOptions(new Command('lb-address'))
    .description(
      'Print host:port where a load balancer answers on this machine (target: Service [ns/]name, lb-… id, or LB IP)',
    )
    .argument(
      '<target>',
      'Service name or namespace/name, a load balancer id (lb-…), or its public IP',
    )
    .option('-n, --namespace <namespace>', 'namespace of a Service target', 'default')
    .option('--port <port>', 'Service / listener port (default: the first)')
    .option('--protocol <protocol>', "TCP or UDP (default: the Service port's, else TCP)")
    .option('--ip-family <family>', 'IPv4 or IPv6 (default: the first ingress IP)')
    .option('--wait <duration>', 'wait this long for the load balancer to serve', '30s')
    .addOption(
      nimbusOption(
        '--data-dir <dir>',
        'where `nimbus up` keeps kubeconfig and ccm-token',
        '.nimbus',
      ),
    )
    .addOption(
      nimbusOption(
        '--cloud-url <url>',
        `cloud API, http:// or https:// (default: the one \`nimbus up\` serves, from <data-dir>/${CLOUD_URL_FILE}, else ${DEFAULT_CLOUD_URL})`,
      ),
    )
    .addOption(
      nimbusOption('--token <token>', 'cloud project token (default: <data-dir>/ccm-token)'),
    )
    .addOption(
      nimbusOption('--kubeconfig <file>', 'for Service targets (default: <data-dir>/kubeconfig)'),
    )
    .action(async (target: string, options: Record<string, string | undefined>) => {
      try {
        const result = await resolveLbAddress(
          target,
          {
            namespace: options.namespace,
            port: options.port === undefined ? undefined : parsePort(options.port),
            protocol: parseChoice(options.protocol?.toUpperCase(), ['TCP', 'UDP'], '--protocol'),
            ipFamily: parseChoice(options.ipFamily, ['IPv4', 'IPv6'], '--ip-family'),
            waitMs: parseDuration(options.wait ?? '0s', 'wait'),
          },
          depsFrom(options),
        );
        if (result.warning) {
          process.stderr.write(`nimbus lb-address: ${result.warning}\n`);
        }
        process.stdout.write(`${result.text}\n`);
      } catch (error) {
        if (
          error instanceof LbAddressError ||
          error instanceof NotFoundError ||
          error instanceof TlsError
        ) {
          process.stderr.write(`nimbus lb-address: ${error.message}\n`);
          process.exit(1);
        }
        throw error;
      }
    });
}

function depsFrom(options: Record<string, string | undefined>): LbAddressDeps {
  const dataDir = options.dataDir ?? '.nimbus';
  const token = options.token ?? readIfExists(join(dataDir, CCM_TOKEN_FILE));
  if (!token) {
    throw new LbAddressError(
      `no cloud token: pass --token (or NIMBUS_TOKEN), or run from where \`nimbus up\` keeps ${join(dataDir, CCM_TOKEN_FILE)}`,
    );
  }
  const baseUrl =
    options.cloudUrl ?? readIfExists(join(dataDir, CLOUD_URL_FILE)) ?? DEFAULT_CLOUD_URL;
  const insecure = String(options.cloudInsecureSkipTlsVerify) === 'true';
  // `nimbus up --cloud-tls` keeps its CA next to the ccm-token: trusted without a flag.
  const upCa = join(dataDir, CLOUD_CA_FILE);
  const defaultCa =
    baseUrl.startsWith('https:') && !insecure && existsSync(upCa) ? upCa : undefined;
  const cloud = new NimbusCloudClient({
    baseUrl,
    token,
    tls: cloudClientTlsFromFlags({
      cloudCaFile: options.cloudCaFile ?? defaultCa,
      cloudInsecureSkipTlsVerify: insecure,
    }),
    userAgent: 'nimbus-lb-address',
    retry: { maxAttempts: 2 },
  });
  const kubeconfig = options.kubeconfig ?? join(dataDir, 'kubeconfig');
  return {
    getLoadBalancer: (id) => cloud.loadBalancers.get(id),
    listLoadBalancers: () => cloud.loadBalancers.listAll(),
    getService: existsSync(kubeconfig) ? serviceReader(kubeconfig) : undefined,
  };
}

/** Reads Services with the kubeconfig (only what lb-address needs). */
export function serviceReader(kubeconfig: string) {
  // The Kubernetes client is loaded on first use: the other commands need not load it.
  let kube: KubeClient | undefined;
  return async (namespace: string, name: string): Promise<ServiceView | undefined> => {
    const { KubeClient, isNotFound, loadKubeConfig } = await import('@app/kube-client');
    kube ??= new KubeClient(loadKubeConfig(kubeconfig));
    try {
      const svc = await kube.services.get(namespace, name);
      return {
        type: svc.spec?.type,
        ingressIps: (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : [])),
        ports: (svc.spec?.ports ?? []).map((p) => ({
          port: p.port,
          protocol: p.protocol ?? 'TCP',
        })),
      };
    } catch (error) {
      if (isNotFound(error)) {
        return undefined;
      }
      throw error;
    }
  };
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LbAddressError(`--port: "${text}" is not a port`);
  }
  return port;
}

function parseChoice<T extends string>(
  value: string | undefined,
  choices: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) {
    return undefined;
  }
  const match = choices.find((c) => c.toLowerCase() === value.toLowerCase());
  if (!match) {
    throw new LbAddressError(`${flag}: "${value}" is not one of ${choices.join(', ')}`);
  }
  return match;
}
