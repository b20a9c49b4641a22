/**
 * Kubernetes' own processing of a container, before any shell runs: reading `env`/`envFrom` and
 * expanding `$(VAR)` references in env values, `command` and `args` the way the kubelet does.
 *
 * The expansion follows kubernetes/kubernetes third_party/forked/golang/expansion/expand.go
 * (`Expand`, `tryReadVariableName`, `MappingFuncFor`): `$$` becomes `$`; `$(NAME)` becomes the
 * variable's value, or stays verbatim when NAME is not defined; an incomplete `$(` stays as written;
 * any other `$x` stays as written. So `$((2*$(nproc)+1))` survives intact: its "name" `(2*$(nproc`
 * is not defined and is wrapped back. The variables are the container's `env`, in order (each value
 * expanded against the entries before it), on top of the keys of `envFrom` (kubelet_pods.go
 * makeEnvironmentVariables), which are not known here. Pure functions; never throw.
 */
import { placePath } from '../place';
import { MAX_ARG_STRLEN, WORD_TOO_LONG, type WorkBudget } from './budget';
import type { EnvEntry, EnvFromSource, Place, Word } from './types';

/** Why an env value is unknown when its expansion grew past MAX_ARG_STRLEN. */
const TOO_LONG_VALUE = 'is longer than 128 KiB once expanded, the kernel’s limit for one environment string';

/** A piece of an expanded string: literal text, or a reference whose value is not known here. */
export interface Piece {
  readonly text: string;
  /** Set when the value is not known: `text` is then the reference as written, e.g. `$(WORKERS)`. */
  readonly unknown?: string;
  /** Set when the value is unknown because it grew past `max` (see expandReferences). */
  readonly tooLong?: true;
}

/** A word after Kubernetes expansion, with the pieces it is made of (for `sh -c` scripts). */
export interface ExpandedWord extends Word {
  readonly pieces: readonly Piece[];
}

/** How a variable name resolves in Kubernetes expansion. */
export type Lookup = (name: string) => { value: string } | { unknown: string } | undefined;

/**
 * Expands `$(VAR)` references like the kubelet. Linear in the input: the search for a closing `)`
 * is shared across references, so a string of many unterminated `$(` stays cheap (the Go original
 * rescans the rest of the string for each one). Once the result would pass `max` characters
 * (references that double a value double its length each time), expansion stops and the result is
 * one unknown piece marked `tooLong`, holding the input as written.
 */
export function expandReferences(input: string, lookup: Lookup, max = Number.POSITIVE_INFINITY): Piece[] {
  if (input.indexOf('$') < 0) return input.length > max ? over(input) : [{ text: input }];
  const pieces: Piece[] = [];
  let size = 0; // characters in `pieces`
  let buf = '';
  let checkpoint = 0;
  let nextClose = -2; // index of the next ')' at or after the cursor; -1 when there is none
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input.charCodeAt(cursor) !== 36 /* $ */ || cursor + 1 >= input.length) continue;
    buf += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    if (next === '$') {
      buf += '$';
      cursor += 1;
    } else if (next === '(') {
      if (nextClose !== -1 && nextClose < cursor + 2) nextClose = input.indexOf(')', cursor + 2);
      if (nextClose < 0) {
        buf += '$(';
        cursor += 1;
      } else {
        const name = input.slice(cursor + 2, nextClose);
        const found = lookup(name);
        if (found === undefined) buf += `$(${name})`;
        else if ('value' in found) {
          if (size + buf.length + found.value.length > max) return over(input);
          buf += found.value;
        } else {
          size += buf.length;
          if (buf) pieces.push({ text: buf });
          buf = '';
          pieces.push({ text: `$(${name})`, unknown: found.unknown });
        }
        cursor = nextClose;
      }
    } else {
      buf += `$${next}`;
      cursor += 1;
    }
    checkpoint = cursor + 1;
  }
  buf += input.slice(checkpoint);
  if (size + buf.length > max) return over(input);
  if (buf || pieces.length === 0) pieces.push({ text: buf });
  return pieces;
}

/** The result of an expansion that grew past its limit: the input as written, unknown. */
function over(input: string): Piece[] {
  return [{ text: input, unknown: WORD_TOO_LONG, tooLong: true }];
}

/** Joins pieces into one word: the text with unknown references verbatim, and the first reason. */
export function piecesToWord(pieces: readonly Piece[], path: string): ExpandedWord {
  if (pieces.length === 1) {
    const only = pieces[0];
    return only.unknown === undefined
      ? { text: only.text, path, pieces }
      : { text: only.text, unknown: only.unknown, path, pieces };
  }
  let text = '';
  let unknown: string | undefined;
  for (const piece of pieces) {
    text += piece.text;
    if (unknown === undefined && piece.unknown !== undefined) unknown = piece.unknown;
  }
  return unknown === undefined ? { text, path, pieces } : { text, unknown, path, pieces };
}

/** The container's variables as the kubelet builds them, for expansion and for the rules. */
export interface ContainerEnv {
  /** Variables set in `env`, in order, later entries replacing earlier ones. */
  readonly env: Map<string, EnvEntry>;
  readonly envFrom: readonly EnvFromSource[];
  /** Resolves a `$(NAME)` reference of `command`/`args` against the whole environment. */
  readonly lookup: Lookup;
}

/** The envFrom source that may set `name`, when `env` does not (the first that can, by prefix). */
export function envFromFor(envFrom: readonly EnvFromSource[] | undefined, name: string) {
  if (!envFrom) return undefined;
  return envFrom.find((s) => !s.prefix || name.startsWith(s.prefix));
}

/** Keys a ConfigMap or Secret may hold (`[-._a-zA-Z0-9]+`): only these can come from envFrom. */
const KEY = /^[-._a-zA-Z0-9]+$/;

/** Names the kubelet also defines for Services (enableServiceLinks), unknown at admission. */
const SERVICE_LINK =
  /^[A-Z][A-Z0-9_]*_(?:SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT(?:_\d+_(?:TCP|UDP|SCTP)(?:_PROTO|_PORT|_ADDR)?)?)$/;

/** Why `name` might have a value nobody can see here, or undefined when it is simply not defined. */
export function undefinedReason(envFrom: readonly EnvFromSource[], name: string): string | undefined {
  const source = KEY.test(name) ? envFromFor(envFrom, name) : undefined;
  if (source) return `${name} may come from envFrom (${source.source}, ${source.path})`;
  if (SERVICE_LINK.test(name)) return `${name} may be a Service link variable set by the kubelet`;
  return undefined;
}

/**
 * Reads `env` and `envFrom` of a container object. With a budget, each value is counted as the kernel
 * counts the program's environment (see budget.ts), and reading stops once the kernel would refuse
 * the container or the review's budget is spent. Never throws.
 */
export function readContainerEnv(
  container: Record<string, unknown>,
  basePath: string,
  budget?: WorkBudget,
  places?: readonly (Place | undefined)[],
): ContainerEnv {
  const envFrom = readEnvFrom(container.envFrom, basePath);
  const env = new Map<string, EnvEntry>();
  const lookup: Lookup = (name) => {
    const entry = env.get(name);
    if (entry) return entry.value !== undefined ? { value: entry.value } : { unknown: entry.unknown ?? '' };
    const reason = undefinedReason(envFrom, name);
    return reason === undefined ? undefined : { unknown: reason };
  };
  const list = container.env;
  if (Array.isArray(list)) {
    for (let i = 0; i < list.length; i++) {
      const item: unknown = list[i];
      if (!isObject(item) || typeof item.name !== 'string' || item.name === '') continue;
      const place = places?.[i];
      // A field is read as the container's own (`.value` below it); a place in a file is the line itself.
      const path = place ? ('field' in place ? place.field : placePath(place)) : `${basePath}.env[${i}]`;
      const read = readEnvVar(item, item.name, path, lookup, container);
      const entry = place && !('field' in place) ? { ...read, path, at: place } : read;
      env.set(entry.name, entry);
      if (!budget) continue;
      const ok =
        entry.unknown === `${entry.name} ${TOO_LONG_VALUE}`
          ? budget.programTooLong(entry.path)
          : budget.programEntry(entry.name, entry.value ?? '', entry.path);
      if (!ok) break;
    }
  }
  return { env, envFrom, lookup };
}

function readEnvVar(
  item: Record<string, unknown>,
  name: string,
  path: string,
  lookup: Lookup,
  container: Record<string, unknown>,
): EnvEntry {
  if (isObject(item.valueFrom)) {
    const resolved = resourceValue(item.valueFrom, container);
    if (resolved !== undefined) return { name, value: resolved, path };
    return {
      name,
      unknown: `${name} comes from ${describeValueFrom(item.valueFrom)}`,
      path,
    };
  }
  const raw = item.value;
  if (raw === undefined || raw === null) return { name, value: '', path };
  if (typeof raw === 'number' || typeof raw === 'boolean')
    return { name, value: String(raw), path: `${path}.value` };
  if (typeof raw !== 'string')
    return { name, unknown: `${name} has a value that is not a string`, path: `${path}.value` };
  // Most values hold no reference: no pieces to build (a Pod may have tens of thousands of them).
  if (raw.indexOf('$') < 0 && raw.length < MAX_ARG_STRLEN - name.length - 2)
    return { name, value: raw, path: `${path}.value` };
  // The kernel takes `NAME=value` whole: the value may use what is left of MAX_ARG_STRLEN.
  const pieces = expandReferences(raw, lookup, MAX_ARG_STRLEN - name.length - 2);
  if (pieces[0]?.tooLong) return { name, unknown: `${name} ${TOO_LONG_VALUE}`, path: `${path}.value` };
  const word = piecesToWord(pieces, `${path}.value`);
  return word.unknown === undefined
    ? { name, value: word.text, path: word.path }
    : { name, unknown: word.unknown, path: word.path };
}

/** Human description of a valueFrom source, naming it precisely so a user can find it. */
export function describeValueFrom(valueFrom: Record<string, unknown>): string {
  const ref = (key: string) =>
    isObject(valueFrom[key]) ? (valueFrom[key] as Record<string, unknown>) : undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : '?');
  const cm = ref('configMapKeyRef');
  if (cm) return `ConfigMap ${str(cm.name)} key ${str(cm.key)} (valueFrom.configMapKeyRef)`;
  const secret = ref('secretKeyRef');
  if (secret) return `Secret ${str(secret.name)} key ${str(secret.key)} (valueFrom.secretKeyRef)`;
  const field = ref('fieldRef');
  if (field) return `the pod field ${str(field.fieldPath)} (valueFrom.fieldRef)`;
  const resource = ref('resourceFieldRef');
  if (resource) {
    const of =
      typeof resource.containerName === 'string' && resource.containerName
        ? ` of container ${resource.containerName}`
        : '';
    return `the resource ${str(resource.resource)}${of} (valueFrom.resourceFieldRef)`;
  }
  const file = ref('fileKeyRef');
  if (file) return `file ${str(file.path)} key ${str(file.key)} (valueFrom.fileKeyRef)`;
  return 'valueFrom';
}

/**
 * `resourceFieldRef` for `limits.cpu`/`requests.cpu` of this container, when the quantity is written
 * in the container: the kubelet passes ceil(quantity / divisor) (pkg/api/v1/resource
 * ExtractContainerResourceValue). A missing CPU limit means the node's allocatable CPUs: unknown.
 */
function resourceValue(
  valueFrom: Record<string, unknown>,
  container: Record<string, unknown>,
): string | undefined {
  const ref = valueFrom.resourceFieldRef;
  if (!isObject(ref)) return undefined;
  if (
    typeof ref.containerName === 'string' &&
    ref.containerName !== '' &&
    ref.containerName !== container.name
  )
    return undefined;
  const resource = ref.resource;
  if (resource !== 'limits.cpu' && resource !== 'requests.cpu') return undefined;
  const resources = isObject(container.resources) ? container.resources : {};
  const limits = isObject(resources.limits) ? resources.limits : {};
  const requests = isObject(resources.requests) ? resources.requests : {};
  const quantity = resource === 'limits.cpu' ? limits.cpu : (requests.cpu ?? limits.cpu);
  const milli = cpuMillis(quantity);
  const divisor = ref.divisor === undefined ? 1000 : cpuMillis(ref.divisor);
  if (milli === undefined || divisor === undefined || divisor <= 0) return undefined;
  return String(Math.ceil(milli / divisor));
}

/** A CPU quantity (`2`, `500m`, `1.5`) in millicores, or undefined when it is not one. */
function cpuMillis(quantity: unknown): number | undefined {
  const text = typeof quantity === 'number' ? String(quantity) : quantity;
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{1,9}(?:\.\d{1,9})?)(m?)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number.parseFloat(m[1]);
  return m[2] === 'm' ? Math.ceil(n) : Math.ceil(n * 1000);
}

function readEnvFrom(value: unknown, basePath: string): EnvFromSource[] {
  if (!Array.isArray(value)) return [];
  const out: EnvFromSource[] = [];
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (!isObject(item)) continue;
    const path = `${basePath}.envFrom[${i}]`;
    const name = (ref: unknown) => (isObject(ref) && typeof ref.name === 'string' ? ref.name : '?');
    const source = isObject(item.configMapRef)
      ? `ConfigMap ${name(item.configMapRef)}`
      : isObject(item.secretRef)
        ? `Secret ${name(item.secretRef)}`
        : 'an envFrom source';
    const prefix = typeof item.prefix === 'string' && item.prefix !== '' ? item.prefix : undefined;
    out.push(prefix === undefined ? { source, path } : { source, prefix, path });
  }
  return out;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
