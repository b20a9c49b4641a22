/**
 * The props of SingleProcessApp have one description (src/constructs/props.ts): the zod schema that
 * validates them must name the same props, and every `@default` in their doc comments must say the
 * value the construct uses (DEFAULTS), so what an editor shows on hover is what synth writes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { DEFAULTS } from '../../src/constructs/props';
import type { PropsSchemaMatches } from '../../src/constructs/schema';
import { synthApp } from './helpers';

const PROPS_FILE = path.join(__dirname, '..', '..', 'src', 'constructs', 'props.ts');

/** Which part of DEFAULTS each interface's props are the defaults of. */
const SECTIONS: Record<string, Record<string, unknown>> = {
  SingleProcessAppProps: DEFAULTS,
  ReplicaOptions: DEFAULTS.replicas,
  ResourceOptions: DEFAULTS.resources,
  ProbeOptions: DEFAULTS.probes,
  ShutdownOptions: DEFAULTS.shutdown,
  SpreadOptions: DEFAULTS.spread,
  SessionAffinityOptions: DEFAULTS.sessionAffinity,
};

/** `Interface.prop` → the text of its `@default` tag, for every documented prop. */
function documentedDefaults(): Map<string, string> {
  const source = ts.createSourceFile(
    PROPS_FILE,
    fs.readFileSync(PROPS_FILE, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const out = new Map<string, string>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) continue;
      for (const tag of ts.getJSDocTags(member)) {
        if (tag.tagName.text !== 'default') continue;
        out.set(`${node.name.text}.${member.name.text}`, ts.getTextOfJSDocComment(tag.comment) ?? '');
      }
    }
  });
  return out;
}

describe('SingleProcessApp props', () => {
  it('are the same in the interface and in the schema (checked by tsc)', () => {
    // A prop added to the interface and not to the schema (or the other way round) makes this type
    // `false`, and the assignment fails to compile.
    const matches: PropsSchemaMatches = true;
    expect(matches).toBe(true);
  });

  it('document every default the construct uses, with its value', () => {
    const documented = documentedDefaults();
    const problems: string[] = [];
    for (const [iface, section] of Object.entries(SECTIONS)) {
      for (const [prop, value] of Object.entries(section)) {
        if (typeof value === 'object') continue;
        const key = `${iface}.${prop}`;
        const text = documented.get(key);
        const literal = typeof value === 'string' ? `'${value}'` : String(value);
        if (text === undefined) problems.push(`${key}: no @default (the construct uses ${literal})`);
        // A literal default is the value; prose (`- 30, or …`) names it.
        else if (text.startsWith('-') ? !text.includes(String(value)) : text !== literal)
          problems.push(`${key}: @default ${text}, but the construct uses ${literal}`);
      }
    }
    // And the other way round: a literal @default the construct does not use.
    for (const [key, text] of documented) {
      if (text.startsWith('-')) continue;
      const [iface, prop] = key.split('.') as [string, string];
      if (!SECTIONS[iface] || !(prop in SECTIONS[iface]))
        problems.push(`${key}: @default ${text}, which is not in DEFAULTS`);
    }
    expect(problems).toEqual([]);
  });

  it('are applied: the objects of an app with no optional prop carry the defaults', () => {
    const synthesized = synthApp({ image: 'shop:1.0', port: 8000 });
    const deployment = synthesized.one('Deployment');
    const hpa = synthesized.one('HorizontalPodAutoscaler');
    const service = synthesized.one('Service');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(hpa.spec.minReplicas).toBe(DEFAULTS.replicas.min);
    expect(hpa.spec.maxReplicas).toBe(DEFAULTS.replicas.max);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(
      DEFAULTS.replicas.scaleDownStabilizationSeconds,
    );
    expect(container.resources).toEqual({
      requests: { cpu: DEFAULTS.resources.cpu, memory: DEFAULTS.resources.memory },
      limits: { cpu: DEFAULTS.resources.cpuLimit, memory: DEFAULTS.resources.memory },
    });
    expect(container.readinessProbe.periodSeconds).toBe(DEFAULTS.probes.readinessPeriodSeconds);
    expect(container.livenessProbe.periodSeconds).toBe(DEFAULTS.probes.livenessPeriodSeconds);
    expect(container.livenessProbe.timeoutSeconds).toBe(DEFAULTS.probes.timeoutSeconds);
    expect(container.livenessProbe.failureThreshold).toBe(DEFAULTS.probes.failureThreshold);
    expect(container.startupProbe.failureThreshold * container.startupProbe.periodSeconds).toBe(
      DEFAULTS.probes.startupSeconds,
    );
    expect(container.lifecycle.preStop.exec.command).toEqual([
      'sleep',
      String(DEFAULTS.shutdown.drainSeconds),
    ]);
    expect(pod.terminationGracePeriodSeconds).toBe(DEFAULTS.shutdown.gracePeriodSeconds);
    expect(
      pod.topologySpreadConstraints.map((c: { whenUnsatisfiable: string }) => c.whenUnsatisfiable),
    ).toEqual([DEFAULTS.spread.nodes, DEFAULTS.spread.zones]);
    expect(pod.automountServiceAccountToken).toBe(DEFAULTS.automountServiceAccountToken);
    expect(pod.securityContext.runAsUser).toBe(DEFAULTS.runAsUser);
    expect(pod.securityContext.runAsGroup).toBe(DEFAULTS.runAsGroup);
    expect(service.spec.sessionAffinity).toBeUndefined();
  });
});
