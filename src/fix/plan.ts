/**
 * `oneproc fix`: the findings `oneproc check` reports → edits at the places that set the worker count,
 * and the replicas, autoscaler bounds, CPU and disruption budget that keep the workload's capacity.
 * Pure: the texts come in, edits and a summary go out; the CLI reads and writes the files.
 *
 * Which number to change is decided by the engine itself, not by reading messages: each number equal
 * to the count in the container's command, args and env values is tried as `1`, and the first whose
 * container the engine then finds without that error is the edit (`-w $(WORKERS)` edits the WORKERS
 * entry; `${WEB_CONCURRENCY:-4}` edits the 4). Files of the image (Dockerfile, config files, scripts)
 * are edited at the count's own characters when the finding's cause knows them, else on the line the
 * finding names (`countSpanOnLine`).
 */
import { type Document, isMap, isScalar, isSeq, type Node, type Scalar, type YAMLMap } from 'yaml';
import { checkContainer } from '../engine';
import { type ManifestDocument, pathSegments, podSpecs } from '../manifest';
import { isObject } from '../manifest/workloads';
import { isFilePlace } from '../place';
import type { ServerRule } from '../rules/types';
import { parseSourcePath } from '../sources/types';
import type { Finding } from '../types';
import { countSpanOnLine, numberSpans } from './numbers';
import { cpuMillicores, divideCpu, formatCpu } from './quantity';
import { lineStarts, type TextEdit } from './text-edit';
import { insertFirst, type Located, locate, numberEdit, parseDocuments, scalarEdit } from './yaml-edit';

export interface FixInput {
  /** The manifests `check` read, as it read them. */
  readonly manifests: ReadonlyArray<{
    readonly name: string;
    readonly text: string;
    readonly json: boolean;
    /** The documents as the manifest reader read them, with their syntax trees: then not parsed again. */
    readonly documents?: readonly ManifestDocument[];
  }>;
  /** Everything `check` found (exempted findings included: they mark what is never touched). */
  readonly findings: readonly Finding[];
  /** The texts of the image's files that findings point at, by the name findings use. */
  readonly files: ReadonlyMap<string, string>;
  /** `--memory-per-process`: the memory request and limit each one-process container gets. */
  readonly memoryPerProcess?: string;
  /** With `--strict`, warnings are findings to fix too; none can be fixed (their count is not known). */
  readonly strict?: boolean;
  readonly rules?: readonly ServerRule[];
}

/** One finding and the edits that fix it. */
export interface FixedFinding {
  readonly finding: Finding;
  /** The count's edit, and for the first finding of a workload the edits that keep its capacity. */
  readonly edits: Array<{ readonly file: string; readonly edit: TextEdit }>;
  /** The summary of its workload's scaling, on the first finding of the workload. */
  summary?: string;
}

export interface FixPlan {
  /** Edits per file, in no particular order (`applyEdits` orders them). */
  readonly edits: Map<string, TextEdit[]>;
  readonly fixed: FixedFinding[];
  /** Findings left as they are, each with why. */
  readonly unfixable: Array<{ readonly finding: Finding; readonly why: string }>;
  /** One line per workload: what was scaled and what was not. */
  readonly summaries: string[];
}

/** Kinds whose `replicas` multiply: one pod each is one process after the fix. */
const REPLICATED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);
/** At most this many numbers are tried per finding (a container with hundreds of equal numbers is refused). */
const MAX_TRIES = 64;
/** At most this many findings are fixed in one container (each fix may reveal the next). */
const MAX_ROUNDS = 16;

interface Workload {
  readonly file: string;
  readonly text: string;
  readonly json: boolean;
  readonly doc: Document.Parsed;
  /** `items[3].` for a List item, else empty. */
  readonly prefix: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, unknown>;
  readonly object: Record<string, unknown>;
  /** Container path → the worker count it ran (the largest of its fixed findings). */
  readonly counts: Map<string, number>;
  /** Container name → path. */
  readonly containers: Map<string, string>;
  exempt: boolean;
  /** The first finding fixed in it: SARIF carries the capacity edits on that one. */
  first?: FixedFinding;
}

interface ParsedFile {
  readonly name: string;
  readonly text: string;
  readonly json: boolean;
  readonly docs: Document.Parsed[];
  values?: unknown[];
}

export function planFixes(input: FixInput): FixPlan {
  const plan: FixPlan = { edits: new Map(), fixed: [], unfixable: [], summaries: [] };
  const addEdit = (file: string, edit: TextEdit) => {
    const list = plan.edits.get(file) ?? [];
    if (!list.some((e) => e.start === edit.start && e.end === edit.end && e.text === edit.text))
      list.push(edit);
    plan.edits.set(file, list);
  };
  const parsed = new Map<string, ParsedFile>();
  const byName = new Map(input.manifests.map((m) => [m.name, m]));
  const parse = (name: string): ParsedFile | undefined => {
    let p = parsed.get(name);
    if (p) return p;
    const m = byName.get(name);
    if (!m) return undefined;
    const kept = m.documents;
    p = kept?.every((d) => d === undefined || d.syntax !== undefined)
      ? {
          name,
          text: m.text,
          json: m.json,
          docs: kept.map((d) => d?.syntax as Document.Parsed),
          values: kept.map((d) => d?.value),
        }
      : { name, text: m.text, json: m.json, docs: parseDocuments(m.text) };
    parsed.set(name, p);
    return p;
  };
  const dataOf = (p: ParsedFile, index: number): unknown => {
    p.values ??= [];
    if (!(index in p.values)) p.values[index] = p.docs[index]?.toJS({ maxAliasCount: -1 });
    return p.values[index];
  };

  // Workloads, found from their findings.
  const workloads = new Map<string, Workload>();
  const workloadOf = (file: string, docIndex: number, prefix: string): Workload | undefined => {
    const key = JSON.stringify([file, docIndex, prefix]);
    const known = workloads.get(key);
    if (known) return known;
    const p = parse(file);
    if (!p) return undefined;
    const value = dataOf(p, docIndex);
    const pod = podSpecs(value).find(
      (s) => s.containers.length > 0 && prefixOf(s.containers[0].path) === prefix,
    );
    if (!pod) return undefined;
    const meta = (pod.object.metadata ?? {}) as Record<string, unknown>;
    const template = pod.metadata[pod.metadata.length - 1]?.value ?? {};
    const w: Workload = {
      file,
      text: p.text,
      json: p.json,
      doc: p.docs[docIndex],
      prefix,
      kind: pod.kind,
      name: typeof meta.name === 'string' ? meta.name : '(unnamed)',
      ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
      labels: isObject(template.labels) ? template.labels : {},
      object: pod.object,
      counts: new Map(),
      containers: new Map(pod.containers.filter((c) => c.name).map((c) => [c.name as string, c.path])),
      exempt: false,
    };
    workloads.set(key, w);
    return w;
  };

  const relevant = (f: Finding) =>
    !f.exempted && (f.severity === 'error' || (input.strict === true && f.severity === 'warning'));
  // Image files that an exempted workload runs are never edited.
  const exemptSources = new Set(input.findings.filter((f) => f.exempted).map((f) => f.path));
  for (const f of input.findings) {
    if (!f.exempted || isFilePlace(f.at)) continue;
    const w =
      f.origin.file !== undefined && f.origin.document !== undefined
        ? workloadOf(f.origin.file, f.origin.document, prefixOf(f.path))
        : undefined;
    if (w) w.exempt = true;
  }

  // 1. Findings in manifests: grouped by container, fixed with the engine as the judge.
  const byContainer = new Map<string, Finding[]>();
  for (const f of input.findings) {
    if (!relevant(f)) continue;
    if (isFilePlace(f.at)) continue;
    if (f.severity !== 'error' || f.workers === null) {
      plan.unfixable.push({ finding: f, why: unknownCount(f) });
      continue;
    }
    const container = containerPathOf(f.path);
    if (!container || f.origin.file === undefined || f.origin.document === undefined) {
      plan.unfixable.push({ finding: f, why: 'it is not in a container of a manifest oneproc read' });
      continue;
    }
    const key = JSON.stringify([f.origin.file, f.origin.document, container]);
    const list = byContainer.get(key) ?? [];
    list.push(f);
    byContainer.set(key, list);
  }
  for (const [key, findings] of byContainer) {
    const [file, docIndex, containerPath] = JSON.parse(key) as [string, number, string];
    const w = workloadOf(file, docIndex, prefixOf(containerPath));
    const p = parse(file);
    if (!w || !p) {
      for (const f of findings)
        plan.unfixable.push({ finding: f, why: 'its workload could not be read again' });
      continue;
    }
    if (w.exempt) continue;
    const fixed = fixContainer(p, w.doc, containerPath, findings, input.rules);
    for (const u of fixed.unfixable) plan.unfixable.push(u);
    for (const x of fixed.fixed) {
      for (const e of x.edits) addEdit(file, e);
      const done: FixedFinding = { finding: x.finding, edits: x.edits.map((edit) => ({ file, edit })) };
      plan.fixed.push(done);
      w.first ??= done;
      const n = x.finding.workers ?? 1;
      w.counts.set(containerPath, Math.max(w.counts.get(containerPath) ?? 1, n));
    }
  }

  // 2. Findings in the image's files: edited on the line they name.
  for (const f of input.findings) {
    if (!relevant(f)) continue;
    const at = isFilePlace(f.at) ? f.at : undefined;
    if (!at) continue;
    if (f.severity !== 'error' || f.workers === null) {
      plan.unfixable.push({ finding: f, why: unknownCount(f) });
      continue;
    }
    if (exemptSources.has(f.path)) {
      plan.unfixable.push({
        finding: f,
        why: `${at.file} is also run by an exempted workload, which is never touched; give this workload its own count`,
      });
      continue;
    }
    const text = input.files.get(at.file);
    if (text === undefined) {
      plan.unfixable.push({ finding: f, why: `${at.file} could not be read to edit it` });
      continue;
    }
    const starts = lineStarts(text);
    if (at.line < 1 || at.line > starts.length) {
      plan.unfixable.push({ finding: f, why: `${at.file} has no line ${at.line}` });
      continue;
    }
    const lineStart = starts[at.line - 1];
    const lineEnd = at.line < starts.length ? starts[at.line] - 1 : text.length;
    const span =
      exactSpan(f, at, text.slice(lineStart, lineEnd)) ??
      countSpanOnLine(text.slice(lineStart, lineEnd), f.workers);
    if (!span) {
      plan.unfixable.push({
        finding: f,
        why: `line ${at.line} of ${at.file} does not hold the count ${f.workers} as one number oneproc can tell apart (it may be computed, or continued on another line); set it to 1 by hand`,
      });
      continue;
    }
    const edit = { start: lineStart + span[0], end: lineStart + span[1], text: '1' };
    addEdit(at.file, edit);
    const done: FixedFinding = { finding: f, edits: [{ file: at.file, edit }] };
    plan.fixed.push(done);
    // The workload that runs it, when a manifest was linked to the image.
    const w = linkedWorkload(f, input, parse, dataOf, workloadOf);
    if (w && !w.exempt) {
      w.first ??= done;
      const path = (f.origin.container !== undefined && w.containers.get(f.origin.container)) || '';
      if (path) w.counts.set(path, Math.max(w.counts.get(path) ?? 1, f.workers));
    } else if (!w) {
      plan.summaries.push(
        `${f.origin.name ?? at.file}: ${f.workers} workers → 1 process in ${at.file}:${at.line}; no workload in the input runs it, so no replicas were scaled`,
      );
    }
  }

  // 3. Capacity: replicas or the autoscaler's bounds, CPU, memory, disruption budgets.
  const scaling = [...workloads.values()].filter((w) => !w.exempt && w.counts.size > 0);
  if (scaling.length > 0) {
    const others = companions(input.manifests, parse, dataOf);
    for (const w of scaling) scaleWorkload(w, others, input, plan, addEdit);
  }
  return plan;
}

/**
 * The count's own characters on its line, when the reader that found it knows them (the finding's
 * cause has a column and length) and they still hold the count: then no other number on the line
 * (`workers = 4  # workers: 4`) is a candidate.
 */
function exactSpan(
  f: Finding,
  on: { readonly file: string; readonly line: number },
  line: string,
): [number, number] | undefined {
  const at = f.cause?.at;
  if (!isFilePlace(at) || at.column === undefined || at.length === undefined) return undefined;
  if (at.file !== on.file || at.line !== on.line) return undefined;
  const start = at.column - 1;
  const end = start + at.length;
  const written = line.slice(start, end).replaceAll('_', '');
  if (end > line.length || !/^\d+$/.test(written) || Number(written) !== f.workers) return undefined;
  return [start, end];
}

function unknownCount(f: Finding): string {
  return f.severity === 'warning'
    ? 'its worker count cannot be known here, so there is no number to set; set it to 1 where it is decided'
    : 'its worker count is not a fixed number (one per CPU, or computed), so the replicas that keep its capacity cannot be worked out; set the count to 1 and scale by hand';
}

/** `items[3].` of a List item's field path, else ''. */
function prefixOf(path: string): string {
  return /^((?:items\[\d+\]\.)*)/.exec(path)?.[1] ?? '';
}

/** `…containers[0]` (or initContainers) of a field path inside a container. */
function containerPathOf(path: string): string | undefined {
  return /^(.*?(?:^|\.)(?:initContainers|containers)\[\d+\])(?:\.|$)/.exec(path)?.[1];
}

/** A field of a container that may hold the count: command and args words, env values. */
interface Field {
  /** Relative to the container: `['args', 0]`, `['env', 2, 'value']`. */
  readonly segments: (string | number)[];
  readonly value: string;
}

function fieldsOf(container: Record<string, unknown>): Field[] {
  const fields: Field[] = [];
  for (const key of ['command', 'args'] as const) {
    const list = container[key];
    if (!Array.isArray(list)) continue;
    list.forEach((v, i) => {
      if (typeof v === 'string' || typeof v === 'number')
        fields.push({ segments: [key, i], value: String(v) });
    });
  }
  const env = container.env;
  if (Array.isArray(env)) {
    env.forEach((e, i) => {
      if (isObject(e) && (typeof e.value === 'string' || typeof e.value === 'number'))
        fields.push({ segments: ['env', i, 'value'], value: String(e.value) });
    });
  }
  return fields;
}

function setField(
  container: Record<string, unknown>,
  segments: readonly (string | number)[],
  value: string,
): void {
  let node: unknown = container;
  for (let i = 0; i < segments.length - 1; i++)
    node = (node as Record<string | number, unknown>)[segments[i]];
  (node as Record<string | number, unknown>)[segments[segments.length - 1]] = value;
}

function errorsOf(container: unknown, path: string, rules: readonly ServerRule[] | undefined): Finding[] {
  return checkContainer(container, { path, ...(rules ? { rules } : {}) }).filter(
    (f) => f.severity === 'error',
  );
}

/**
 * Fixes one container: for each of its error findings, the first number equal to the count (in the
 * finding's own field first, then in the order of command, args, env) whose change to 1 makes the
 * engine drop that error without raising another.
 */
function fixContainer(
  p: ParsedFile,
  doc: Document.Parsed,
  containerPath: string,
  findings: readonly Finding[],
  rules: readonly ServerRule[] | undefined,
): {
  fixed: Array<{ finding: Finding; edits: TextEdit[] }>;
  unfixable: Array<{ finding: Finding; why: string }>;
} {
  const fixed: Array<{ finding: Finding; edits: TextEdit[] }> = [];
  const unfixable: Array<{ finding: Finding; why: string }> = [];
  const at = locate(doc.contents, pathSegments(containerPath));
  if (at.kind !== 'node' || !isMap(at.node)) {
    for (const f of findings) unfixable.push({ finding: f, why: `the container ${reason(at)}` });
    return { fixed, unfixable };
  }
  const original = at.node.toJS(doc, { maxAliasCount: -1 }) as Record<string, unknown>;
  const fields = fieldsOf(original);
  /** Spans of each field's original value already set to 1. */
  const replaced = new Map<number, Array<[number, number]>>();
  const current = structuredClone(original);
  const valueWith = (fi: number, extra?: [number, number]): string => {
    const spans = [...(replaced.get(fi) ?? []), ...(extra ? [extra] : [])].sort((a, b) => a[0] - b[0]);
    let out = '';
    let pos = 0;
    for (const [s, e] of spans) {
      out += `${fields[fi].value.slice(pos, s)}1`;
      pos = e;
    }
    return out + fields[fi].value.slice(pos);
  };
  const pending = new Map(findings.map((f) => [`${f.rule}|${f.path}`, f]));
  for (let round = 0; round < MAX_ROUNDS && pending.size > 0; round++) {
    const before = errorsOf(current, containerPath, rules);
    const target = before.find((e) => pending.has(`${e.rule}|${e.path}`) && e.workers !== null);
    if (!target) break;
    const finding = pending.get(`${target.rule}|${target.path}`) as Finding;
    pending.delete(`${target.rule}|${target.path}`);
    const own = fields.findIndex(
      (fl) =>
        `${containerPath}.${fl.segments
          .map((s) => (typeof s === 'number' ? `[${s}]` : s))
          .join('.')
          .replace(/\.\[/g, '[')}` === target.path,
    );
    const order =
      own >= 0 ? [own, ...fields.keys()].filter((v, i, a) => a.indexOf(v) === i) : [...fields.keys()];
    let chosen: { fi: number; span: [number, number] } | undefined;
    let tries = 0;
    search: for (const fi of order) {
      for (const span of numberSpans(fields[fi].value, target.workers as number)) {
        if ((replaced.get(fi) ?? []).some(([s, e]) => span[0] < e && s < span[1])) continue;
        if (++tries > MAX_TRIES) break search;
        const trial = structuredClone(current);
        setField(trial, fields[fi].segments, valueWith(fi, span));
        const after = errorsOf(trial, containerPath, rules);
        const gone = !after.some((e) => e.rule === target.rule && e.path === target.path);
        const noNew = after.every((e) => before.some((b) => b.rule === e.rule && b.path === e.path));
        if (gone && noNew) {
          chosen = { fi, span };
          break search;
        }
      }
    }
    if (!chosen) {
      unfixable.push({
        finding,
        why: `no number ${target.workers} in the container's command, args or env values sets the count on its own (it may come from the image, a ConfigMap or a computed value); set it to 1 where it is decided`,
      });
      continue;
    }
    const { fi, span } = chosen;
    const node = locate(at.node, fields[fi].segments);
    if (node.kind !== 'node' || !isScalar(node.node)) {
      unfixable.push({ finding, why: `the field that sets it ${reason(node)}` });
      continue;
    }
    const occurrence = numberSpans(fields[fi].value, target.workers as number).findIndex(
      ([s]) => s === span[0],
    );
    const edit = numberEdit(p.text, node.node as Scalar, target.workers as number, occurrence);
    if (typeof edit === 'string') {
      unfixable.push({ finding, why: `the field that sets it: ${edit}` });
      continue;
    }
    replaced.set(fi, [...(replaced.get(fi) ?? []), span]);
    setField(current, fields[fi].segments, valueWith(fi));
    fixed.push({ finding, edits: [edit] });
  }
  for (const f of pending.values()) {
    // Fixed along the way by another edit (two findings from one number), or left: say which.
    const still = errorsOf(current, containerPath, rules).some((e) => e.rule === f.rule && e.path === f.path);
    if (still)
      unfixable.push({
        finding: f,
        why: 'no edit oneproc could find removes it; set the count to 1 by hand',
      });
    else fixed.push({ finding: f, edits: [] });
  }
  return { fixed, unfixable };
}

function reason(at: Located): string {
  return at.kind === 'unfollowed' ? `cannot be edited in place: ${at.why}` : 'is not written in the file';
}

/** The workload a finding in an image file belongs to: the first step of its chain names the manifest. */
function linkedWorkload(
  f: Finding,
  input: FixInput,
  parse: (name: string) => ParsedFile | undefined,
  dataOf: (p: ParsedFile, index: number) => unknown,
  workloadOf: (file: string, doc: number, prefix: string) => Workload | undefined,
): Workload | undefined {
  // A chain is the text users see, `file:line` a step.
  const first = f.origin.chain?.[0];
  const manifest = first ? parseSourcePath(first)?.file : undefined;
  if (!manifest || f.origin.kind === undefined || !input.manifests.some((m) => m.name === manifest))
    return undefined;
  const p = parse(manifest);
  if (!p) return undefined;
  const index = f.origin.document ?? 0;
  for (const pod of podSpecs(dataOf(p, index))) {
    const meta = (pod.object.metadata ?? {}) as Record<string, unknown>;
    if (pod.kind !== f.origin.kind || meta.name !== f.origin.name) continue;
    if ((typeof meta.namespace === 'string' ? meta.namespace : undefined) !== f.origin.namespace) continue;
    return workloadOf(manifest, index, prefixOf(pod.containers[0]?.path ?? ''));
  }
  return undefined;
}

/** An autoscaler or disruption budget of the input, with where it is written. */
interface Companion {
  readonly file: ParsedFile;
  readonly root: Node;
  readonly value: Record<string, unknown>;
}

/** The HorizontalPodAutoscalers and PodDisruptionBudgets of every manifest read. */
function companions(
  manifests: FixInput['manifests'],
  parse: (name: string) => ParsedFile | undefined,
  dataOf: (p: ParsedFile, index: number) => unknown,
): { hpas: Companion[]; pdbs: Companion[] } {
  const hpas: Companion[] = [];
  const pdbs: Companion[] = [];
  for (const m of manifests) {
    if (!/HorizontalPodAutoscaler|PodDisruptionBudget/.test(m.text)) continue;
    const p = parse(m.name);
    if (!p) continue;
    p.docs.forEach((doc, i) => {
      const value = dataOf(p, i);
      const visit = (v: unknown, node: Node | null | undefined) => {
        if (!isObject(v) || !node) return;
        if (Array.isArray(v.items) && isMap(node)) {
          const items = locate(node, ['items']);
          if (items.kind === 'node' && isSeq(items.node))
            v.items.forEach((item, j) => {
              visit(item, (items.node as { items: Node[] }).items[j]);
            });
          return;
        }
        if (v.kind === 'HorizontalPodAutoscaler') hpas.push({ file: p, root: node, value: v });
        if (v.kind === 'PodDisruptionBudget') pdbs.push({ file: p, root: node, value: v });
      };
      visit(value, doc.contents);
    });
  }
  return { hpas, pdbs };
}

function namespaceOf(v: Record<string, unknown>): string | undefined {
  const meta = isObject(v.metadata) ? v.metadata : {};
  return typeof meta.namespace === 'string' ? meta.namespace : undefined;
}

/** Replicas × N (or the autoscaler's bounds), CPU ÷ N per container, memory per process, PDB minAvailable × N. */
function scaleWorkload(
  w: Workload,
  others: { hpas: Companion[]; pdbs: Companion[] },
  input: FixInput,
  plan: FixPlan,
  add: (file: string, edit: TextEdit) => void,
): void {
  const addEdit = (file: string, edit: TextEdit) => {
    add(file, edit);
    w.first?.edits.push({ file, edit });
  };
  const n = Math.max(...w.counts.values());
  const text = w.text;
  const parts: string[] = [];
  const root = w.prefix
    ? locate(w.doc.contents, pathSegments(w.prefix.slice(0, -1)))
    : ({ kind: 'node', node: w.doc.contents } as Located);
  const rootNode = root.kind === 'node' ? root.node : undefined;
  const spec = isObject(w.object.spec) ? w.object.spec : {};
  const label = `${w.name}`;
  if (REPLICATED.has(w.kind)) {
    const hpa = others.hpas.find((h) => {
      const ref =
        isObject(h.value.spec) && isObject(h.value.spec.scaleTargetRef) ? h.value.spec.scaleTargetRef : {};
      return ref.kind === w.kind && ref.name === w.name && namespaceOf(h.value) === w.namespace;
    });
    if (hpa) {
      const hspec = isObject(hpa.value.spec) ? hpa.value.spec : {};
      const min = typeof hspec.minReplicas === 'number' ? hspec.minReplicas : 1;
      const max = typeof hspec.maxReplicas === 'number' ? hspec.maxReplicas : undefined;
      const hname = isObject(hpa.value.metadata) ? String(hpa.value.metadata.name) : '';
      const minAt = locate(hpa.root, ['spec', 'minReplicas']);
      const maxAt = locate(hpa.root, ['spec', 'maxReplicas']);
      const specAt = locate(hpa.root, ['spec']);
      if (max === undefined || maxAt.kind !== 'node' || !isScalar(maxAt.node)) {
        parts.push(`the autoscaler ${hname} has no maxReplicas oneproc can edit; its bounds were not scaled`);
      } else {
        const minEdit =
          minAt.kind === 'node' && isScalar(minAt.node)
            ? scalarEdit(hpa.file.text, minAt.node, String(min * n), hpa.file.json)
            : specAt.kind === 'node' && isMap(specAt.node)
              ? insertFirst(
                  hpa.file.text,
                  specAt.node as YAMLMap,
                  'minReplicas',
                  String(min * n),
                  hpa.file.json,
                )
              : undefined;
        const maxEdit = scalarEdit(hpa.file.text, maxAt.node, String(max * n), hpa.file.json);
        if (minEdit) addEdit(hpa.file.name, minEdit);
        if (maxEdit) addEdit(hpa.file.name, maxEdit);
        parts.push(
          `autoscaler ${hname}: ${min}–${max} pods × ${n} workers → ${min * n}–${max * n} pods × 1 process (replicas left to the autoscaler)`,
        );
      }
    } else {
      const replicas = spec.replicas === undefined ? 1 : spec.replicas;
      const at = rootNode ? locate(rootNode, ['spec', 'replicas']) : root;
      const specAt = rootNode ? locate(rootNode, ['spec']) : root;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
        parts.push(`replicas ${JSON.stringify(replicas)} is not a number, so it was not scaled`);
      } else {
        const edit =
          at.kind === 'node' && isScalar(at.node)
            ? scalarEdit(text, at.node, String(replicas * n), w.json)
            : at.kind === 'missing' && specAt.kind === 'node' && isMap(specAt.node)
              ? insertFirst(text, specAt.node as YAMLMap, 'replicas', String(replicas * n), w.json)
              : undefined;
        if (edit) {
          addEdit(w.file, edit);
          parts.push(
            `${replicas} ${replicas === 1 ? 'pod' : 'pods'} × ${n} workers → ${replicas * n} pods × 1 process`,
          );
        } else parts.push(`replicas ${reason(at)}; not scaled`);
      }
    }
  } else {
    const why =
      w.kind === 'DaemonSet'
        ? 'a DaemonSet runs one pod per node'
        : w.kind === 'Job' || w.kind === 'CronJob'
          ? `a ${w.kind} runs to completion`
          : `a ${w.kind} has no replicas`;
    parts.push(`${n} workers → 1 process per pod; ${why}, so nothing was scaled`);
  }
  // CPU and memory of each fixed container.
  for (const [path, count] of w.counts) {
    const at = rootNode ? locate(w.doc.contents, pathSegments(path)) : undefined;
    if (at?.kind !== 'node') continue;
    const cname = w.containers.size > 1 ? [...w.containers].find(([, p]) => p === path)?.[0] : undefined;
    const suffix = cname ? ` (${cname})` : '';
    const cpus: string[] = [];
    for (const which of ['requests', 'limits'] as const) {
      const q = locate(at.node, ['resources', which, 'cpu']);
      if (q.kind !== 'node' || !isScalar(q.node)) continue;
      const millis = cpuMillicores(q.node.value);
      if (millis === undefined) {
        cpus.push(`cpu ${which} ${String(q.node.value)} not read, not divided`);
        continue;
      }
      const divided = formatCpu(divideCpu(millis, count));
      const edit = scalarEdit(text, q.node, divided, w.json);
      if (edit && count > 1) {
        addEdit(w.file, edit);
        if (!cpus.some((c) => c.startsWith(`cpu ${formatCpu(millis)} → ${divided}`)))
          cpus.push(`cpu ${formatCpu(millis)} → ${divided}`);
      }
    }
    if (cpus.length > 0) parts.push(`${cpus.join(', ')} per pod${suffix}`);
    if (input.memoryPerProcess) {
      let set = false;
      for (const which of ['requests', 'limits'] as const) {
        const q = locate(at.node, ['resources', which, 'memory']);
        if (q.kind !== 'node' || !isScalar(q.node)) continue;
        const edit = scalarEdit(text, q.node, input.memoryPerProcess, w.json);
        if (edit) {
          addEdit(w.file, edit);
          set = true;
        }
      }
      parts.push(
        set
          ? `memory ${input.memoryPerProcess} per pod${suffix}`
          : `no memory request or limit to set to ${input.memoryPerProcess}${suffix}; none added`,
      );
    }
  }
  if (!input.memoryPerProcess) parts.push('memory kept per pod');
  // Disruption budgets that select its pods: an absolute minAvailable is scaled.
  if (REPLICATED.has(w.kind)) {
    for (const pdb of others.pdbs) {
      const pspec = isObject(pdb.value.spec) ? pdb.value.spec : {};
      const selector = isObject(pspec.selector) ? pspec.selector : undefined;
      const name = isObject(pdb.value.metadata) ? String(pdb.value.metadata.name) : '';
      if (!selector || namespaceOf(pdb.value) !== w.namespace) continue;
      const match = isObject(selector.matchLabels) ? selector.matchLabels : {};
      const keys = Object.keys(match);
      if (keys.length === 0 || !keys.every((k) => w.labels[k] === match[k])) continue;
      if (selector.matchExpressions !== undefined) {
        parts.push(`disruption budget ${name}: its matchExpressions were not followed; check it by hand`);
        continue;
      }
      const min = pspec.minAvailable;
      if (typeof min === 'number') {
        const at = locate(pdb.root, ['spec', 'minAvailable']);
        const edit =
          at.kind === 'node' && isScalar(at.node)
            ? scalarEdit(pdb.file.text, at.node, String(min * n), pdb.file.json)
            : undefined;
        if (edit) {
          addEdit(pdb.file.name, edit);
          parts.push(`disruption budget ${name}: minAvailable ${min} → ${min * n}`);
        }
      }
    }
  }
  const summary = `${label}: ${parts.join('; ')}`;
  plan.summaries.push(summary);
  if (w.first) w.first.summary = summary;
}
