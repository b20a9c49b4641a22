/**
 * The server rules, in the order they are tried: the first rule that recognises a command decides it.
 * Each server is a folder under src/servers/ and an entry of src/servers/registry.ts; this module
 * keeps the rule list under its old name.
 */
import { SERVER_RULES } from '../servers/registry';
import type { ServerRule } from './types';

export const RULES: readonly ServerRule[] = SERVER_RULES;

export type { Decision, ServerRule } from './types';
