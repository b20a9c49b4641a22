/**
 * The documented API of oneproc (`import … from 'oneproc'`): the cdk8s constructs, the checks behind
 * every door (`checkObject`, `checkContainer`) with their options, the finding types, and the rules a
 * caller may extend. What oneproc's own doors use besides is in `oneproc/internal` (src/internal.ts),
 * without a stability promise.
 */

export * from './constructs';
export type { CheckOptions } from './engine';
export { checkContainer, DEFAULT_SEVERITY, EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION } from './engine';
export type { ObjectCheckOptions, ObjectReport } from './manifest';
export { checkObject, InputError, inspectObject, WORKLOAD_KINDS } from './manifest';
export type { Cause, FieldPlace, FilePlace, Place, PlaceSource } from './place';
export { RULES } from './rules';
export type { Decision, ServerRule } from './rules/types';
export type { Env, EnvEntry, EnvFromSource, SimpleCommand, Word } from './shell/types';
export type { Category, Exemption, Finding, Origin, Severity } from './types';
