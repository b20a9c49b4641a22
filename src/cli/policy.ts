/**
 * `oneproc policy [--action deny|warn] [--name NAME] [--exclude-namespace NS]... [--format yaml|json]`
 * prints the ValidatingAdmissionPolicy and its bindings, ready for `kubectl apply -f -`.
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { MODE_LABEL } from '../names';
import { buildPolicy, type PolicyAction, PolicyOptionError } from '../policy';

const USAGE = `Usage: oneproc policy [--action deny|warn] [--name NAME] [--exclude-namespace NS]... [--format yaml|json]

Prints a ValidatingAdmissionPolicy and its bindings (admissionregistration.k8s.io/v1, Kubernetes >= 1.30)
that catch the direct cases in the API server: a server started by the container's command with a
literal worker option or WEB_CONCURRENCY above 1. Namespaces labelled ${MODE_LABEL}=enforce are
denied, =warn warned, =off skipped; --action decides for namespaces without the label (default deny).
  oneproc policy | kubectl apply -f -
`;

export async function run(argv: string[]): Promise<number> {
  let values: {
    action?: string;
    name?: string;
    'exclude-namespace'?: string[];
    format?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        action: { type: 'string' },
        name: { type: 'string' },
        'exclude-namespace': { type: 'string', multiple: true },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`oneproc policy: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const format = values.format ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') {
    process.stderr.write(`oneproc policy: --format must be yaml or json, not '${format}'\n`);
    return 2;
  }
  let objects: Record<string, unknown>[];
  try {
    objects = buildPolicy({
      action: values.action as PolicyAction | undefined,
      name: values.name,
      excludedNamespaces: values['exclude-namespace']
        ? ['kube-system', ...values['exclude-namespace']]
        : undefined,
    });
  } catch (err) {
    if (err instanceof PolicyOptionError) {
      process.stderr.write(`oneproc policy: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`);
  } else {
    process.stdout.write(objects.map((o) => stringify(o, { lineWidth: 0, version: '1.1' })).join('---\n'));
  }
  return 0;
}
