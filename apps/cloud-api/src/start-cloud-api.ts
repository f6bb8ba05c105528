import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { CloudApiConfig } from '@app/config';
import { createCloudApiApp } from './create-app';
import type { CloudApiRuntime } from './core.module';
import { AppLogger } from './http/logging';
import { BootstrapService, type GeneratedTokens } from './projects/bootstrap.service';
import { plainHttpWarning, resolveServingTls, type ServingTls } from './tls/serving-tls';

export interface RunningCloudApi {
  app: NestExpressApplication;
  /** Where clients dial it (`https://` with TLS; a wildcard listen address becomes loopback). */
  url: string;
  /** The address and port it listens on, e.g. `0.0.0.0:8080`. */
  listening: string;
  /** HTTPS details (absent for plain HTTP): the CA clients trust, where the files are. */
  tls?: Omit<ServingTls, 'cert' | 'key'>;
  /** Secrets generated at this start (absent when fixed by config or created earlier). */
  generatedTokens: GeneratedTokens;
  close(): Promise<void>;
}

/** Starts the cloud API listening on config.host:config.port (0 = ephemeral), HTTPS with `--tls*`. */
export async function startCloudApi(
  config: CloudApiConfig,
  runtime: CloudApiRuntime = {},
): Promise<RunningCloudApi> {
  // Certificates first: a bad --tls-* option stops the start before anything is opened.
  const tls = await resolveServingTls(config);
  const app = await createCloudApiApp(
    config,
    runtime,
    tls ? { httpsOptions: { cert: tls.cert, key: tls.key } } : {},
  );
  const log = app.get(AppLogger).logger;
  tls?.notes.forEach((note) => log.info(note));
  tls?.warnings.forEach((warning) => log.warn(warning));
  const warning = tls ? undefined : plainHttpWarning(config.host);
  if (warning) {
    log.warn(warning);
  }
  // No Nest signal hooks: the CLI owns SIGINT/SIGTERM and closes everything in order (Nest's hooks
  // would close the cloud under a draining CCM and re-raise the signal, exiting 130).
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as AddressInfo;
  const bracket = (ip: string) => (address.family === 'IPv6' ? `[${ip}]` : ip);
  const dialled =
    address.address === '0.0.0.0'
      ? '127.0.0.1'
      : address.address === '::'
        ? '::1'
        : address.address;
  return {
    app,
    url: `${tls ? 'https' : 'http'}://${bracket(dialled)}:${address.port}`,
    listening: `${bracket(address.address)}:${address.port}`,
    tls: tls && withoutKeyMaterial(tls),
    generatedTokens: app.get(BootstrapService).generated,
    close: async () => {
      const closing = app.close();
      // Keep-alive clients and open event streams must not hold the shutdown open.
      app.getHttpServer().closeAllConnections();
      await closing;
    },
  };
}

/** What callers may see and print: never the private key. */
function withoutKeyMaterial({ cert: _cert, key: _key, ...info }: ServingTls) {
  return info;
}
