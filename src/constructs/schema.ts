/**
 * The zod schema of `SingleProcessAppProps`, and the translation of zod's issues into one
 * `SingleProcessAppError` that names the prop (dotted path) and quotes its value. Strict objects:
 * a misspelt prop (`replicas.mni`) is an error, not a silently ignored default.
 */
import { z } from 'zod';
import { isBlankReason } from '../manifest/exemption';
import { EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION } from '../names';
import { isObject } from '../shell/kubernetes';
import { SingleProcessAppError } from './errors';
import type { SingleProcessAppProps } from './props';
import { CPU_PATTERN, MEMORY_PATTERN } from './quantities';

/** RFC 1123 label: names of objects, Secrets, ConfigMaps, ServiceAccounts and namespaces. */
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: names of Secrets, ConfigMaps and ServiceAccounts. */
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
/** An env var name every shell and server can read (a C identifier). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A label or annotation key: optional DNS-subdomain prefix and a name. */
const META_KEY = /^(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const dnsLabel = z
  .string()
  .max(63, { error: 'must be at most 63 characters (an RFC 1123 label)' })
  .regex(DNS_LABEL, { error: 'must be lower-case letters, digits and "-" (an RFC 1123 label)' });
const dnsSubdomain = z.string().max(253, { error: 'must be at most 253 characters' }).regex(DNS_SUBDOMAIN, {
  error: 'must be a Kubernetes object name (lower-case letters, digits, "-" and ".")',
});
const port = z
  .number()
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be a port number from 1 to 65535' })
  .max(65535, { error: 'must be a port number from 1 to 65535' });
const seconds = (min: number, max: number) =>
  z
    .number()
    .int({ error: 'must be a whole number of seconds' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
const cpu = z.string().regex(CPU_PATTERN, { error: 'must be a CPU quantity such as "250m" or "0.5"' });
const memory = z
  .string()
  .regex(MEMORY_PATTERN, { error: 'must be a memory quantity such as "512Mi" or "1Gi"' });
const envName = z
  .string()
  .regex(ENV_NAME, { error: 'must be an env var name (letters, digits and "_", not starting with a digit)' });
const labels = z.record(
  z.string().regex(META_KEY, { error: 'must be a label key such as "team" or "example.com/team"' }),
  z.string().max(63, { error: 'must be at most 63 characters' }).regex(LABEL_VALUE, {
    error: 'must be a label value (letters, digits, "-", "_", "." and starting and ending alphanumeric)',
  }),
);
const annotations = z
  .record(
    z.string().regex(META_KEY, { error: 'must be an annotation key such as "example.com/owner"' }),
    z.string(),
  )
  .superRefine((value, ctx) => {
    // The exemption is a prop, so the guard that fails synth honours it as the cluster will.
    for (const key of [EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION]) {
      if (!Object.hasOwn(value, key)) continue;
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message:
          "is not how to exempt a SingleProcessApp: set the prop 'allowMultipleWorkers' " +
          '({ reason, until? }), which the guard honours and which writes both annotations',
      });
    }
  });
const secretKeyRef = z.strictObject({
  secret: dnsSubdomain,
  key: z.string().min(1, { error: 'must not be empty' }),
});
const configMapKeyRef = z.strictObject({
  configMap: dnsSubdomain,
  key: z.string().min(1, { error: 'must not be empty' }),
});
const whenUnsatisfiable = z.enum(['DoNotSchedule', 'ScheduleAnyway', 'off'], {
  error: 'must be "DoNotSchedule", "ScheduleAnyway" or "off"',
});

const inClusterRedis = z.strictObject({
  image: z.string().min(1, { error: 'must not be empty' }).optional(),
  password: secretKeyRef.optional(),
  persistence: z
    .union([
      z.literal(true),
      z.strictObject({
        size: z
          .string()
          .regex(/^[1-9]\d*(?:Mi|Gi|Ti)$/, { error: 'must be a storage size such as "1Gi"' })
          .optional(),
        storageClassName: dnsSubdomain.optional(),
      }),
    ])
    .optional(),
  cpu: cpu.optional(),
  memory: memory.optional(),
  database: z
    .number()
    .int({ error: 'must be a whole number' })
    .min(0, { error: 'must be from 0 to 15' })
    .max(15, { error: 'must be from 0 to 15' })
    .optional(),
});
// One object for both forms (in-cluster options, or `url` alone), so a misspelt key is named as such.
const redis = inClusterRedis.extend({ url: secretKeyRef.optional() }).superRefine((value, ctx) => {
  if (value.url === undefined) return;
  const other = Object.keys(value).find((k) => k !== 'url');
  if (other !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [other],
      message: "cannot be combined with 'redis.url': an external Redis is configured by its URL alone",
    });
  }
});

export const propsSchema = z.strictObject({
  image: z.string({ error: 'must be a string' }).min(1, { error: 'must name a container image' }),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.record(envName, z.string()).optional(),
  envValueFrom: z.record(envName, z.union([secretKeyRef, configMapKeyRef])).optional(),
  port,
  servicePort: port.optional(),
  name: dnsLabel.optional(),
  namespace: dnsLabel.optional(),
  labels: labels.optional(),
  annotations: annotations.optional(),
  podAnnotations: annotations.optional(),
  serviceAccountName: dnsSubdomain.optional(),
  automountServiceAccountToken: z.boolean().optional(),
  runAsUser: z
    .number()
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be a non-root uid (1 or more)' })
    .optional(),
  runAsGroup: z
    .number()
    .int({ error: 'must be a whole number' })
    .min(0, { error: 'must be 0 or more' })
    .optional(),
  imagePullPolicy: z
    .enum(['Always', 'IfNotPresent', 'Never'], { error: 'must be "Always", "IfNotPresent" or "Never"' })
    .optional(),
  replicas: z
    .strictObject({
      min: z
        .number()
        .int({ error: 'must be a whole number' })
        .min(1, { error: 'must be at least 1' })
        .optional(),
      max: z
        .number()
        .int({ error: 'must be a whole number' })
        .min(1, { error: 'must be at least 1' })
        .optional(),
      targetCpuUtilization: z
        .number()
        .int({ error: 'must be a whole percentage' })
        .min(1, { error: 'must be a percentage of the request from 1 to 1000' })
        .max(1000, { error: 'must be a percentage of the request from 1 to 1000' })
        .optional(),
      targetMemoryUtilization: z
        .number()
        .int({ error: 'must be a whole percentage' })
        .min(1, { error: 'must be a percentage of the request from 1 to 100' })
        .max(100, { error: 'must be a percentage of the request from 1 to 100' })
        .optional(),
      scaleDownStabilizationSeconds: seconds(0, 3600).optional(),
    })
    .optional(),
  resources: z
    .strictObject({ cpu: cpu.optional(), cpuLimit: cpu.optional(), memory: memory.optional() })
    .optional(),
  probes: z
    .strictObject({
      path: z.string().startsWith('/', { error: 'must be an HTTP path starting with "/"' }).optional(),
      readinessPeriodSeconds: seconds(1, 300).optional(),
      livenessPeriodSeconds: seconds(1, 300).optional(),
      timeoutSeconds: seconds(1, 60).optional(),
      failureThreshold: z
        .number()
        .int({ error: 'must be a whole number' })
        .min(1, { error: 'must be at least 1' })
        .max(100, { error: 'must be at most 100' })
        .optional(),
      startupSeconds: seconds(0, 3600).optional(),
    })
    .optional(),
  shutdown: z
    .strictObject({
      drainSeconds: seconds(0, 300).optional(),
      gracePeriodSeconds: seconds(1, 3600).optional(),
    })
    .optional(),
  spread: z
    .strictObject({ nodes: whenUnsatisfiable.optional(), zones: whenUnsatisfiable.optional() })
    .optional(),
  sessionAffinity: z
    .union([z.literal(true), z.strictObject({ timeoutSeconds: seconds(1, 86400).optional() })], {
      error: 'must be true or { timeoutSeconds }',
    })
    .optional(),
  redis: z
    .union([z.literal(true), redis], {
      error: 'must be true, { password?, persistence?, image?, cpu?, memory?, database? } or { url }',
    })
    .optional(),
  legacySelector: z.boolean().optional(),
  allowMultipleWorkers: z
    .strictObject({
      reason: z
        .string()
        .trim()
        .refine((reason) => !isBlankReason(reason), {
          error: 'must give the reason (it is shown wherever the exemption applies)',
        }),
      until: z
        .string()
        .regex(DATE, { error: 'must be a date YYYY-MM-DD' })
        .refine(isCalendarDate, { error: 'must be a date of the calendar (YYYY-MM-DD)' })
        .optional(),
    })
    .optional(),
}) satisfies z.ZodType<SingleProcessAppProps, SingleProcessAppProps>;

/**
 * Props as parsed: the interface's shape, the schema's types. The schema accepts exactly the props of
 * `SingleProcessAppProps` (src/constructs/props.ts, the one description, with the docs and defaults):
 * `satisfies` above makes every value the schema passes a valid prop; `PropsSchemaMatches` below makes
 * every valid prop an input the schema reads, and both name the same props at every depth, which
 * assignability alone does not (an optional prop missing on one side still assigns).
 */
export type ParsedProps = z.output<typeof propsSchema>;

/** Every dotted path of props in `T` (`replicas.min`, `env.${string}`), through unions and optionals. */
export type PropPaths<T, Prefix extends string = ''> = T extends readonly unknown[]
  ? never
  : T extends object
    ? {
        [K in keyof T & string]-?: `${Prefix}${K}` | PropPaths<NonNullable<T[K]>, `${Prefix}${K}.`>;
      }[keyof T & string]
    : never;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * `true` when the schema and the interface name the same props; test/constructs/props.test.ts asserts
 * it, so a prop added to one and not the other fails `tsc`.
 */
export type PropsSchemaMatches = [SingleProcessAppProps] extends [z.input<typeof propsSchema>]
  ? Same<PropPaths<SingleProcessAppProps>, PropPaths<z.input<typeof propsSchema>>>
  : false;

/** `2026-02-30` has the shape of a date but is none; manifests would ignore such an exemption. */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Validates raw props; throws one SingleProcessAppError for the first problem found. */
export function parseProps(construct: string, props: unknown): ParsedProps {
  const result = propsSchema.safeParse(props);
  if (result.success) return result.data;
  throw toError(construct, props, result.error.issues[0]!, []);
}

type Issue = z.core.$ZodIssue;

function toError(
  construct: string,
  input: unknown,
  issue: Issue,
  prefix: PropertyKey[],
): SingleProcessAppError {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    // Report the branch the value was meant for: among the branches whose type matched, the one with
    // the fewest problems (then the deepest), so `redis: { pasword }` names the misspelt key.
    const candidates = issue.errors
      .filter((branch) => branch.length > 0 && !branch.some((i) => i.path.length === 0 && isTypeMismatch(i)))
      .sort((a, b) => a.length - b.length || b[0]!.path.length - a[0]!.path.length);
    const best = candidates[0]?.[0];
    if (best) return toError(construct, input, best, path);
    return new SingleProcessAppError(construct, dotted(path), valueAt(input, path), issue.message);
  }
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const keyPath = [...path, key];
    return new SingleProcessAppError(
      construct,
      dotted(keyPath),
      valueAt(input, keyPath),
      'is not a known prop',
    );
  }
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0];
    const key = path[path.length - 1];
    return new SingleProcessAppError(
      construct,
      dotted(path.slice(0, -1)),
      String(key),
      `has a key that ${inner?.message ?? 'is not valid'}`,
    );
  }
  const value = valueAt(input, path);
  if (issue.code === 'invalid_type') {
    const problem =
      value === undefined
        ? 'is required'
        : issue.message.startsWith('Invalid input')
          ? `must be ${article(issue.expected)}`
          : issue.message;
    return new SingleProcessAppError(construct, dotted(path), value, problem);
  }
  return new SingleProcessAppError(construct, dotted(path), value, issue.message);
}

function isTypeMismatch(issue: Issue): boolean {
  return issue.code === 'invalid_type' || issue.code === 'invalid_value';
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'record' || expected === 'object') return 'an object';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function dotted(path: PropertyKey[]): string {
  if (path.length === 0) return 'props';
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (!isObject(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
