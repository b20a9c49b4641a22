/**
 * The IO half of planning fixes, shared by `oneproc fix` and `oneproc check --format sarif` (whose
 * results carry SARIF \`fixes\`): reads the image files that findings point at, then plans (pure).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type FixInput, type FixPlan, planFixes } from '../fix';
import { isFilePlace } from '../place';
import type { Gathered } from './check';
import { leavesMessage, linkLeavesWorkingDirectory } from './paths';

/** Image files edited are small (the source readers refuse more than 1 MiB). */
const MAX_SOURCE_BYTES = 1024 * 1024;

/** The plan for what `gather` found, and the text of every file it may edit. */
export async function planFor(
  read: Gathered,
  cwd: string,
  options: Pick<FixInput, 'memoryPerProcess' | 'strict' | 'rules'> = {},
): Promise<{ plan: FixPlan; texts: Map<string, string> }> {
  const files = new Map<string, string>();
  for (const f of read.findings) {
    const at = isFilePlace(f.at) ? f.at : undefined;
    if (!at || files.has(at.file) || f.exempted) continue;
    const text = await readSource(at.file, cwd);
    if (typeof text === 'string') files.set(at.file, text);
  }
  const plan = planFixes({ manifests: read.manifests, findings: read.findings, files, ...options });
  const texts = new Map<string, string>(files);
  for (const m of read.manifests) texts.set(m.name, m.text);
  return { plan, texts };
}

/** An image file a finding names, read as check reads it (inside the working directory, a regular file). */
async function readSource(name: string, cwd: string): Promise<string | Error> {
  const abs = path.resolve(cwd, name);
  try {
    const outside = await linkLeavesWorkingDirectory(abs, cwd);
    if (outside !== undefined) return new Error(leavesMessage(outside));
    const stat = await fs.stat(abs);
    if (!stat.isFile() || stat.size > MAX_SOURCE_BYTES)
      return new Error('not a regular file of at most 1 MiB');
    return await fs.readFile(abs, 'utf8');
  } catch (err) {
    return err as Error;
  }
}
