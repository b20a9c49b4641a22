/**
 * Differences between the real shells and oneproc's prediction that remain, each with the reason it
 * remains. The differential tests expect exactly these to differ: a difference not listed fails, and a
 * listed one that no longer differs fails too, so the lists stay true.
 */

/** Hand-written fixtures, by `NAME | DOOR | SHELL` (fixtures.test.ts). */
export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};

/**
 * Generated scripts, by kind of difference (`kindOf` in differential.ts: the door, the shell and the
 * difference with its values left out).
 */
export const KNOWN_GENERATED: Readonly<Record<string, string>> = {};
