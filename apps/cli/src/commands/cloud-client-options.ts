import type { Command } from 'commander';
import { nimbusOption } from '@app/config';

/**
 * How a command trusts an `https://` cloud API (CloudClientFlags): the CA that signed its
 * certificate, or — for experiments only — no verification at all.
 */
export function addCloudTlsOptions(command: Command): Command {
  return command
    .addOption(
      nimbusOption(
        '--cloud-ca-file <file>',
        'PEM CA bundle that signed the cloud API certificate (nimbus: <data-dir>/cloud-ca.crt)',
      ),
    )
    .addOption(
      nimbusOption(
        '--cloud-insecure-skip-tls-verify [bool]',
        'accept any cloud API certificate (INSECURE: the token can be stolen)',
        'false',
      ),
    );
}

/** Where the cloud API is, the project token, and how to trust it (withCloudClientFlags). */
export function addCloudClientOptions(command: Command): Command {
  return addCloudTlsOptions(
    command
      .addOption(
        nimbusOption(
          '--cloud-url <url>',
          'Nimbus cloud API (http:// or https://)',
          'http://127.0.0.1:8080',
        ),
      )
      .addOption(nimbusOption('--cloud-token <token>', 'cloud API project token')),
  );
}
