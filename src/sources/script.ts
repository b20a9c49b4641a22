/**
 * Entrypoint and start scripts → the simple commands they run, with a real shell parser (mvdan-sh,
 * the JavaScript build of mvdan/sh, which parses POSIX sh and bash: `case`, `if`, functions,
 * `${VAR:-default}`). Pure: text in, commands as source text out; never throws.
 *
 * What is followed:
 * - every simple command, including inside `if`/`else`, `&&`/`||` lists and blocks, and the body of
 *   a function where it is called;
 * - `case "$1" in …` dispatch: when the container's first argument is known only the matching branch
 *   runs; otherwise every branch is kept;
 * - `"$@"` (and `$@`, `"${@}"`) becomes the container's arguments (the Dockerfile CMD or the manifest's
 *   args), so `exec "$@"` runs them.
 * The words of each command are then read by the same shell layer as a container's `sh -c` script.
 * Bounds (each said in `ScriptResult.limit` with the line it stopped at, never silent): blocks nested
 * `MAX_SCRIPT_DEPTH` deep, `MAX_SCRIPT_COMMANDS` commands, `MAX_SCRIPT_STEPS` statements visited.
 */
import { type Node, syntax } from 'mvdan-sh';

export interface ScriptCommand {
  /** The command's source text, with `"$@"` replaced by the quoted arguments. */
  readonly text: string;
  /** 1-based line in the script. */
  readonly line: number;
}

export interface ScriptResult {
  readonly commands: readonly ScriptCommand[];
  /** Set when the script could not be parsed. */
  readonly error?: { readonly message: string; readonly line?: number };
  /**
   * Set when a bound stopped the reading (nesting, commands, or statements run through function
   * calls): what it says, and the line from which commands were not read. The commands before it stand.
   */
  readonly limit?: { readonly message: string; readonly line: number };
}

/** Blocks, branches and function calls nested deeper than this are not read. */
export const MAX_SCRIPT_DEPTH = 50;
/** Commands read from one script: the engine judges at most 1,000 per container anyway. */
export const MAX_SCRIPT_COMMANDS = 1000;
/**
 * Statements visited in one script, counting each run of a function body: `f2() { f1; f1; }` doubles
 * at every level, so a short script can otherwise unfold into millions of commands.
 */
export const MAX_SCRIPT_STEPS = 5000;

/** Reads a script. `args` are the container's arguments ($1…), when known. */
export function readScript(text: string, name: string, args?: readonly string[]): ScriptResult {
  const bytes = Buffer.from(text, 'utf8');
  let file: Node;
  try {
    file = syntax.NewParser().Parse(text, name);
  } catch (err) {
    const message = String((err as { Error?: () => string })?.Error?.() ?? (err as Error)?.message ?? err);
    const line = /:(\d+):\d+:/.exec(message)?.[1];
    return { commands: [], error: { message, ...(line ? { line: Number(line) } : {}) } };
  }
  const source = (n: Node) => bytes.subarray(n.Pos().Offset(), n.End().Offset()).toString('utf8');
  const quotedArgs = args?.map(shellQuote).join(' ') ?? '';
  const commands: ScriptCommand[] = [];
  // Functions run where they are called, not where they are defined.
  const functions = new Map<string, Node>();
  syntax.Walk(file, (node) => {
    if (node && syntax.NodeType(node) === 'FuncDecl' && node.Name) functions.set(node.Name.Value, node.Body);
    return true;
  });
  const calling = new Set<string>();
  let limit: { message: string; line: number } | undefined;
  let steps = 0;
  const stop = (stmt: Node, message: (line: number) => string) => {
    const line = stmt.Pos().Line();
    limit = { message: message(line), line };
  };

  const visitStmts = (stmts: Node[] | undefined, depth: number) => {
    for (const stmt of stmts ?? []) visitStmt(stmt, depth);
  };
  const visitStmt = (stmt: Node | null | undefined, depth: number) => {
    if (!stmt || limit) return;
    if (depth > MAX_SCRIPT_DEPTH)
      return stop(
        stmt,
        (line) =>
          `${name} nests blocks, branches and function calls more than ${MAX_SCRIPT_DEPTH} deep at line ${line}; oneproc did not read the commands from there on`,
      );
    if (++steps > MAX_SCRIPT_STEPS)
      return stop(
        stmt,
        (line) =>
          `${name} runs more than ${MAX_SCRIPT_STEPS.toLocaleString('en')} statements once its function calls are unfolded; oneproc stopped at line ${line} and did not read the commands from there on`,
      );
    visitCmd(stmt.Cmd, depth);
  };
  const visitCmd = (cmd: Node | null | undefined, depth: number): void => {
    if (!cmd) return;
    switch (syntax.NodeType(cmd)) {
      case 'CallExpr': {
        if (!cmd.Args || cmd.Args.length === 0) return;
        const name = source(cmd.Args[0]);
        const body = functions.get(name);
        if (body) {
          if (!calling.has(name)) {
            calling.add(name);
            visitStmt(body, depth + 1);
            calling.delete(name);
          }
          return;
        }
        if (commands.length === MAX_SCRIPT_COMMANDS) {
          const line = cmd.Pos().Line();
          limit = {
            message: `${name} runs more than ${MAX_SCRIPT_COMMANDS.toLocaleString('en')} commands; oneproc read the first ${MAX_SCRIPT_COMMANDS.toLocaleString('en')} and not the one at line ${line} or those after it`,
            line,
          };
          return;
        }
        const raw = source(cmd);
        commands.push({ text: replaceAllArgs(raw, quotedArgs), line: cmd.Pos().Line() });
        return;
      }
      case 'BinaryCmd':
        visitStmt(cmd.X, depth + 1);
        visitStmt(cmd.Y, depth + 1);
        return;
      case 'Block':
      case 'Subshell':
        visitStmts(cmd.Stmts, depth + 1);
        return;
      case 'IfClause':
        visitStmts(cmd.Cond, depth + 1);
        visitStmts(cmd.Then, depth + 1);
        if (cmd.Else) visitCmd(cmd.Else, depth + 1);
        return;
      case 'WhileClause':
      case 'ForClause':
        visitStmts(cmd.Do, depth + 1);
        return;
      case 'FuncDecl':
        return;
      case 'CaseClause': {
        const subject = source(cmd.Word);
        const known = /^"?\$(?:1|\{1\})"?$/.test(subject) ? args?.[0] : undefined;
        for (const item of cmd.Items ?? []) {
          const patterns: string[] = (item.Patterns ?? []).map((p: Node) => unquote(source(p)));
          if (known === undefined || patterns.some((p) => globMatch(p, known))) {
            visitStmts(item.Stmts, depth + 1);
            if (known !== undefined) break;
          }
        }
        return;
      }
      default:
        return;
    }
  };
  visitStmts(file.Stmts, 0);
  return limit ? { commands, limit } : { commands };
}

function replaceAllArgs(text: string, quotedArgs: string): string {
  return text.replace(/"\$@"|"\$\{@\}"|\$@/g, quotedArgs);
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function unquote(pattern: string): string {
  return pattern.replace(/^(['"])(.*)\1$/s, '$2');
}

/** Shell pattern matching for case items: `*`, `?` and `[…]`. */
function globMatch(pattern: string, text: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`, 's').test(text);
  } catch {
    return false;
  }
}
