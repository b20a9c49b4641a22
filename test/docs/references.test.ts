/**
 * The documentation cites only what exists: every relative link of every Markdown page points at a file
 * of the repository (and, with a `#fragment`, at one of its headings), and every `NAME.md` a page mentions
 * is a page of the repository. A reader who follows a reference finds it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'cdk8s.out', '.tools', 'fixtures', 'coverage']);

function walk(dir: string, keep: (file: string) => boolean, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, keep, out);
    else if (entry.isFile() && keep(full)) out.push(full);
  }
  return out;
}

const PAGES = walk(ROOT, (f) => f.endsWith('.md'));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));
}

/** Markdown without its fenced code blocks (commands and examples are not references). */
function prose(file: string): string {
  return readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

function relative(file: string): string {
  return path.relative(ROOT, file);
}

/** A mentioned page: beside the file, at the root or in docs/. */
function pageExists(from: string, name: string): boolean {
  return [path.dirname(from), ROOT, path.join(ROOT, 'docs')].some((dir) => existsSync(path.join(dir, name)));
}

test('the repository has Markdown pages to check', () => {
  expect(PAGES.map(relative)).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md']));
});

describe.each(PAGES.map((p) => [relative(p), p]))('%s', (_name, file) => {
  test('every relative link points at a file, and its #fragment at a heading there', () => {
    const broken: string[] = [];
    for (const match of prose(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [where, fragment] = target.split('#') as [string, string | undefined];
      const resolved = where === '' ? file : path.resolve(path.dirname(file), where);
      if (!existsSync(resolved)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (fragment !== undefined && statSync(resolved).isFile() && resolved.endsWith('.md')) {
        if (!anchors(resolved).has(fragment)) broken.push(`${target}: no heading #${fragment}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('every page it names exists', () => {
    const names = [...prose(file).matchAll(/(?<![\w/.-])([\w./-]*[\w-]\.md)\b/g)].map((m) => m[1]!);
    expect(names.filter((n) => !pageExists(file, n))).toEqual([]);
  });
});
