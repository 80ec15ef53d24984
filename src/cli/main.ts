import { ExitCode, UsageError, type CliCommand, type CliIo } from './command';
import { configCommand } from './commands/config';
import { datasetCommand } from './commands/dataset';
import { cancelCommand } from './commands/cancel';
import { labelDemoCommand } from './commands/label-demo';
import { listCommand } from './commands/list';
import { loopDemoCommand } from './commands/loop-demo';
import { potentialsCommand } from './commands/potentials';
import { scoreCommand } from './commands/score';
import { seedDemoCommand } from './commands/seed-demo';
import { startCommand } from './commands/start';
import { statusCommand } from './commands/status';
import { watchCommand } from './commands/watch';

/** Sub-commands, in the order `mlip-train --help` lists them. */
const COMMANDS: CliCommand[] = [
  seedDemoCommand,
  labelDemoCommand,
  loopDemoCommand,
  datasetCommand,
  configCommand,
  startCommand,
  watchCommand,
  statusCommand,
  listCommand,
  cancelCommand,
  potentialsCommand,
  scoreCommand,
];

export function registeredCommands(): readonly CliCommand[] {
  return COMMANDS;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 4);
  return [
    'mlip-train: train ACE potentials with pacemaker from DFT calculations in MongoDB, on Temporal.',
    '',
    'Usage: mlip-train <command> [options]     mlip-train <command> --help',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, MLIP_TASK_QUEUE, MONGODB_URI, MLIP_DB',
    '  (all of them: docs/operations.md).',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`mlip-train: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}.`);
    io.err("Run 'mlip-train --help' for details.");
    return ExitCode.Usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return ExitCode.Ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`mlip-train ${command.name}: ${err.message}`);
      io.err(`Run 'mlip-train ${command.name} --help' for usage.`);
      return ExitCode.Usage;
    }
    io.err(`mlip-train ${command.name}: ${err instanceof Error ? err.message : String(err)}`);
    return ExitCode.Failed;
  }
}

function defaultIo(): CliIo {
  return { out: (l) => console.log(l), err: (l) => console.error(l), env: process.env };
}
