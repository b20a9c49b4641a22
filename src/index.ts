/** Public API of oneproc. Everything a user may import is listed here explicitly. */

export type { CheckOptions } from './engine';
export { checkContainer, DEFAULT_SEVERITY, EXEMPT_ANNOTATION, EXEMPT_UNTIL_ANNOTATION } from './engine';
export { RULES } from './rules';
export type { Decision, ServerRule } from './rules/types';
export type { Category, Exemption, Finding, Origin, Severity } from './types';
