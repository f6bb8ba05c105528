import { Command } from 'commander';
import { registerCloudApiCommand } from './commands/cloud-api.command';
import { apiserverCommand } from './commands/apiserver.command';
import { ccmCommand } from './commands/ccm.command';
import { controllerManagerCommand } from './commands/controller-manager.command';
import { kubeletCommand } from './commands/kubelet.command';
import { proxyCommand } from './commands/proxy.command';
import { schedulerCommand } from './commands/scheduler.command';
import { lbAddressCommand } from './commands/lb-address.command';
import { upCommand } from './commands/up.command';
import { nimbusVersion } from './version';

export function buildProgram(): Command {
  const program = new Command('nimbus')
    .description(
      'A fake cloud for Kubernetes: cloud API, built-in api-server, controllers and simulated nodes',
    )
    .version(`nimbus ${nimbusVersion()} (Node.js ${process.version})`, '-v, --version')
    .showHelpAfterError()
    .configureOutput({
      outputError: (text, write) => write(`nimbus: ${text.replace(/^error: /, '')}`),
    });
  registerCloudApiCommand(program);
  program.addCommand(apiserverCommand());
  program.addCommand(ccmCommand());
  program.addCommand(schedulerCommand());
  program.addCommand(controllerManagerCommand());
  program.addCommand(kubeletCommand());
  program.addCommand(proxyCommand());
  program.addCommand(upCommand());
  program.addCommand(lbAddressCommand());
  return program;
}
