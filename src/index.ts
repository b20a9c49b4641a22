/** Public API of oneproc. Everything a user may import is listed here explicitly. */

export type { CheckOptions } from './engine';
export { checkContainer, DEFAULT_SEVERITY, EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION } from './engine';
export type { ObjectCheckOptions, ObjectReport } from './manifest';
export { checkObject, inspectObject, WORKLOAD_KINDS } from './manifest';
export { RULES } from './rules';
export type { Decision, ServerRule } from './rules/types';
export type { Category, Exemption, Finding, Origin, Severity } from './types';
