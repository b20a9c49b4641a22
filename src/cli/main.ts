/**
 * The `oneproc` command: dispatches to subcommands. Each subcommand lives in its own module and
 * returns the process exit code; nothing here writes files or calls process.exit.
 */

import { METRICS_PORT, OBSERVE_METRICS_PORT, WEBHOOK_PORT } from '../names';
import { VERSION } from '../version';

const USAGE = `oneproc ${VERSION} — one process per container; scale with replicas.

Usage:
  oneproc check [--format text|json|sarif|html] [--strict] [--dockerfile FILE [--target STAGE] [--build-context DIR] | --image-root DIR] [PATH|-]...
  oneproc fix [--write] [--format diff|json|sarif] [--strict] [--memory-per-process QUANTITY] [--dockerfile FILE | --image-root DIR] [PATH|-]...
  oneproc serve --tls-cert FILE --tls-key FILE [--port ${WEBHOOK_PORT}] [--metrics-port ${METRICS_PORT}] [--mode enforce|warn|off]
  oneproc policy [--action deny|warn] [--name NAME] [--exclude-namespace NS]... [--format yaml|json]
  oneproc audit [--kubeconfig FILE] [--context NAME] [-n NAMESPACE] [--format text|json|sarif|html|policyreport] [--apply] [--strict]
  oneproc observe [--format text|json] [--pid PID]... | --serve [--metrics-port ${OBSERVE_METRICS_PORT}]
  oneproc --version | --help

'oneproc COMMAND --help' describes a command's options.
`;

type Command = (argv: string[]) => Promise<number>;

/** Subcommands, loaded lazily so that `oneproc check` never loads the webhook or cdk8s. */
const COMMANDS: Record<string, () => Command> = {
  check: () => (require('./check') as typeof import('./check')).run,
  fix: () => (require('./fix') as typeof import('./fix')).run,
  policy: () => (require('./policy') as typeof import('./policy')).run,
  observe: () => (require('./observe') as typeof import('./observe')).run,
  audit: () => (require('./audit') as typeof import('./audit')).run,
  serve: () => (require('./serve') as typeof import('./serve')).run,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`oneproc: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  const run = load();
  return run(rest);
}
