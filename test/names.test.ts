/**
 * The names, numbers and lists spelled once in src/ (src/names.ts, WORKLOAD_RESOURCES) and again in the
 * chart's YAML, which cannot import them: the two must agree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { AUDITED_KINDS } from '../src/audit';
import { agentMetricsPort } from '../src/cli/observe';
import { WORKLOAD_KINDS } from '../src/manifest';
import { TEMPLATE_OWNERS } from '../src/manifest/controllers';
import { resourcesByGroup, WORKLOAD_RESOURCES } from '../src/manifest/workloads';
import {
  EXEMPT_ANNOTATION,
  EXEMPT_UNTIL_ANNOTATION,
  METRICS_PORT,
  OBSERVE_METRICS_PORT,
  WEBHOOK_PORT,
} from '../src/names';
import { RESOURCE_RULES } from '../src/policy/policy';
import { SERVER_MENTION } from '../src/servers/registry';
import { containerCommands, readShebang } from '../src/shell';
import { SHELL_PROGRAMS, shellDialect } from '../src/shell/shells';
import { stripWrapper } from '../src/shell/wrappers';
import { isShell, shebangInterpreter } from '../src/sources/shebang';

const CHART = path.join(__dirname, '..', 'charts', 'oneproc');
const read = (file: string) => fs.readFileSync(path.join(CHART, file), 'utf8');

describe('ports', () => {
  const values = parse(read('values.yaml'));

  it("are the chart's defaults", () => {
    expect(values.metrics.port).toBe(METRICS_PORT);
    expect(values.observe.metricsPort).toBe(OBSERVE_METRICS_PORT);
    const deployment = read('templates/webhook-deployment.yaml');
    expect(deployment).toContain(`- "${WEBHOOK_PORT}"`);
    expect(deployment).toContain(`containerPort: ${WEBHOOK_PORT}`);
    expect(read('templates/_helpers.tpl')).toContain(`(int .Values.metrics.port) ${WEBHOOK_PORT}`);
  });

  it('keep the webhook and the node agent apart', () => {
    expect(new Set([WEBHOOK_PORT, METRICS_PORT, OBSERVE_METRICS_PORT]).size).toBe(3);
  });
});

describe('the exemption annotations', () => {
  it("are the ones the chart's notes tell users to write", () => {
    const notes = read('templates/NOTES.txt');
    expect(notes).toContain(`${EXEMPT_ANNOTATION}=`);
    expect(notes).toContain(`${EXEMPT_UNTIL_ANNOTATION}=`);
  });
});

describe('the workload kinds', () => {
  /** `resources: [a, b]` or `resources: ["a", "b"]` lines of a template, in order. */
  function resourceLines(file: string): string[][] {
    return [...read(file).matchAll(/^\s*resources: \[([^\]]*)\]/gm)].map((m) =>
      m[1].split(',').map((r) => r.trim().replace(/^"|"$/g, '')),
    );
  }
  const groups = resourcesByGroup().map((g) => g.resources);

  it("are the webhook configuration's rules in the chart", () => {
    expect(resourceLines('templates/webhook-validatingwebhookconfiguration.yaml')).toEqual(groups);
  });

  it("are what the chart's audit role may list, with the namespaces `audit --enforce-after` reads", () => {
    expect(resourceLines('templates/audit-rbac.yaml')).toEqual([...groups, ['namespaces']]);
  });

  it('are the kinds whose pods and jobs the built-in controllers make from a checked template, Pod aside', () => {
    const owners = TEMPLATE_OWNERS.flatMap((o) => o.kinds.map((kind) => `${o.apiVersion} ${kind}`)).sort();
    const workloads = WORKLOAD_RESOURCES.filter((r) => r.kind !== 'Pod')
      .map((r) => `${r.group ? `${r.group}/${r.version}` : r.version} ${r.kind}`)
      .sort();
    expect(owners).toEqual(workloads);
  });

  it('are the policy rules, the audited kinds and the kinds whose pod specs are read', () => {
    expect(RESOURCE_RULES.map((r) => r.resources)).toEqual(groups);
    expect(AUDITED_KINDS.map((k) => k.kind).sort()).toEqual(WORKLOAD_RESOURCES.map((r) => r.kind).sort());
    expect(WORKLOAD_KINDS.filter((k) => k !== 'PodTemplate').sort()).toEqual(
      WORKLOAD_RESOURCES.map((r) => r.kind).sort(),
    );
  });
});

describe('the shell programs', () => {
  it.each(SHELL_PROGRAMS)('%s -c SCRIPT runs SCRIPT for the shell reader too', (name) => {
    const result = stripWrapper([
      { text: `/bin/${name}`, path: 'command[0]' },
      { text: '-c', path: 'command[1]' },
      { text: 'exec app', path: 'command[2]' },
    ]);
    expect(result && 'script' in result ? result.script.text : undefined).toBe('exec app');
  });

  it.each([
    ['#!/bin/sh\nexec app', 'sh'],
    ['#!/usr/bin/env bash\nexec app', 'bash'],
    ['#!/usr/bin/env -S bash -e\n', 'bash'],
    ['#!/command/with-contenv bash\n', 'bash'],
    ['#!/bin/zsh\n', 'zsh'],
    ['#!/usr/bin/env python3\n', 'python3'],
    ['#!\nexec app', undefined],
    ['exec app', undefined],
  ])('read the #! line of %j as %s', (text, interpreter) => {
    expect(shebangInterpreter(text)).toBe(interpreter);
  });

  it.each(SHELL_PROGRAMS)('%s on a #! line is that shell, in its dialect', (name) => {
    expect(readShebang(`#!/bin/${name}\nexec app`)).toEqual({
      kind: 'shell',
      dialect: shellDialect(name),
      program: name,
      line: `#!/bin/${name}`,
    });
  });

  it.each(SHELL_PROGRAMS)('%s fed a here-document that starts a server is said to be unread', (name) => {
    const r = containerCommands(
      { command: ['sh', '-c', `${name} <<'END'\nexec gunicorn -w 3 app\nEND`] },
      'c',
      undefined,
      { mentions: SERVER_MENTION },
    );
    expect(r.problems.map((p) => p.message)).toEqual([
      `A shell script mentioning gunicorn feeds a here-document to ${name}, which oneproc does not read`,
    ]);
  });

  it('are shells, other interpreters are not', () => {
    expect(isShell('dash')).toBe(true);
    expect(isShell('python3')).toBe(false);
    expect(isShell('zshx')).toBe(false);
  });
});

describe("the node agent's metrics port", () => {
  it('is --metrics-port, else ONEPROC_METRICS_PORT, else its own default; an empty variable is unset', () => {
    expect(agentMetricsPort(undefined, {})).toBe(OBSERVE_METRICS_PORT);
    expect(agentMetricsPort(undefined, { ONEPROC_METRICS_PORT: '' })).toBe(OBSERVE_METRICS_PORT);
    expect(agentMetricsPort(undefined, { ONEPROC_METRICS_PORT: '9100' })).toBe(9100);
    expect(agentMetricsPort('9200', { ONEPROC_METRICS_PORT: '9100' })).toBe(9200);
  });
});
