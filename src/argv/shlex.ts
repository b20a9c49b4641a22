/** A variable holding a command line, split as Python's shlex does. Pure; never throws. */
import { lineOf } from '../place';
import type { EnvEntry, Word } from '../shell/types';

/**
 * Splits a variable holding a command line the way Python's `shlex.split` does (quotes and
 * backslashes, no expansion), e.g. GUNICORN_CMD_ARGS. Every word carries the entry's path, and its
 * place without the value's characters (a word is only part of them). Returns
 * undefined when the value is not known here.
 */
export function splitEnvArgs(entry: EnvEntry): Word[] | undefined {
  if (entry.value === undefined || entry.unknown) return undefined;
  const words: Word[] = [];
  const at = entry.at && lineOf(entry.at);
  const word = (text: string): Word => (at ? { text, path: entry.path, at } : { text, path: entry.path });
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  const text = entry.value;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '\\"$`\n'.includes(text[i + 1])) current += text[++i];
      else current += c;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(word(current));
      current = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'" || c === '"') quote = c;
    else if (c === '\\' && i + 1 < text.length) current += text[++i];
    else current += c;
  }
  // shlex.split raises on an unclosed quote; gunicorn then fails to start. Keep what was read.
  if (inWord) words.push(word(current));
  return words;
}
