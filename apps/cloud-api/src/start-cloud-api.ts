import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { CloudApiConfig } from '@app/config';
import { createCloudApiApp } from './create-app';
import type { CloudApiRuntime } from './core.module';
import { BootstrapService, type GeneratedTokens } from './projects/bootstrap.service';

export interface RunningCloudApi {
  app: NestExpressApplication;
  url: string;
  /** Secrets generated at this start (absent when fixed by config or created earlier). */
  generatedTokens: GeneratedTokens;
  close(): Promise<void>;
}

/** Starts the cloud API listening on config.host:config.port (0 = ephemeral). */
export async function startCloudApi(
  config: CloudApiConfig,
  runtime: CloudApiRuntime = {},
): Promise<RunningCloudApi> {
  const app = await createCloudApiApp(config, runtime);
  // No Nest signal hooks: the CLI owns SIGINT/SIGTERM and closes everything in order (Nest's hooks
  // would close the cloud under a draining CCM and re-raise the signal, exiting 130).
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    app,
    url: `http://${host}:${address.port}`,
    generatedTokens: app.get(BootstrapService).generated,
    close: async () => {
      const closing = app.close();
      // Keep-alive clients and open event streams must not hold the shutdown open.
      app.getHttpServer().closeAllConnections();
      await closing;
    },
  };
}
