/**
 * `oneproc check --format html`, opened in Debian's headless Chromium as a person opens the file: what
 * they see (counts, a finding's chain, the filter working), that hostile names run nothing, and a
 * screenshot of the page (saved under .test-output/, shown in docs/report.md).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { runCheck } from './run-check';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = resolve(__dirname, '../../.test-output');
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

let dir: string;
let browser: Browser;
let page: Page;
let report: { code: number; out: string };

const deployment = (name: string, ns: string, args: string[], annotations = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${JSON.stringify(name)}
  namespace: ${ns}${annotations}
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: ${JSON.stringify(name)}
          image: shop:1
          command: ${JSON.stringify(args)}
`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the HTML report is tested in Debian's Chromium. Install it with: apt-get install -y chromium (scripts/setup.sh does)`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'oneproc-html-'));
  writeFileSync(
    join(dir, 'k8s.yaml'),
    [
      deployment('web', 'shop', ['uvicorn', 'main:app', '--workers', '4']),
      deployment('api', 'shop', ['gunicorn', '-w', '$(W)', 'app:app']),
      deployment(
        'legacy',
        'billing',
        ['gunicorn', '--workers', '3', 'app:app'],
        '\n  annotations:\n    oneproc.dev/allow-multiple-workers: "migration ticket BILL-7"\n    oneproc.dev/allow-until: "2099-01-31"',
      ),
      deployment(HOSTILE, 'evil', ['uvicorn', 'main:app', '--workers', '2']),
      deployment('worker', 'jobs', []).replace(/\n\s+command: \[\]\n/, '\n'),
      // A script the image does not hold: not followed, said in a note.
      deployment('runner', 'jobs', ['/app/run.sh']),
    ].join('---\n'),
  );
  // The image's Dockerfile: the worker runs its CMD (a chain from the manifest to the Dockerfile line).
  writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.12\nCMD ["gunicorn", "-w", "3", "app:app"]\n');
  report = await runCheck(['--format', 'html', '--dockerfile', 'Dockerfile', '.'], { cwd: dir });
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(join(OUTPUT, 'report.html'), report.out);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const requests: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(`file://${join(OUTPUT, 'report.html')}`);
  expect(requests).toEqual([]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the exit status is check’s: errors fail the run whatever the format', () => {
  expect(report.code).toBe(1);
});

test('the summary shows the counts a person reads first', async () => {
  expect(await page.title()).toBe('oneproc check: 3 errors, 1 warning');
  const counts = await page.locator('.counts li').allInnerTexts();
  expect(counts.map((c) => c.replace(/\s+/g, ' ').trim())).toEqual(
    expect.arrayContaining(['6 containers', '3 errors', '1 warnings', '1 exempted', '1 notes']),
  );
  expect(await page.locator('header, main, footer').count()).toBe(3);
});

test('exemptions list their reason and expiry', async () => {
  const row = page.locator('section[aria-labelledby="h-exempt"] tbody tr');
  expect(await row.count()).toBe(1);
  const text = await row.innerText();
  expect(text).toContain('2099-01-31');
  expect(text).toContain('migration ticket BILL-7');
  expect(text).toContain('billing/Deployment legacy');
});

test('findings are grouped by namespace, each with its message, place and field', async () => {
  const headings = await page.locator('section[data-namespace] h3').allInnerTexts();
  expect(headings).toEqual(['Namespace billing', 'Namespace evil', 'Namespace jobs', 'Namespace shop']);
  const web = page.locator('tr[data-finding]', { hasText: 'Deployment web' });
  const text = await web.innerText();
  expect(text).toContain('uvicorn starts 4 worker processes');
  expect(text).toMatch(/At k8s\.yaml:\d+ field spec\.template\.spec\.containers\[0\]\.command\[3\]/);
  // The worker runs the image's CMD: the chain leads from its manifest line to the Dockerfile's.
  const chain = await page
    .locator('tr[data-finding]', { hasText: 'Deployment worker' })
    .locator('ol.chain li')
    .allInnerTexts();
  expect(chain).toEqual([expect.stringMatching(/^k8s\.yaml:\d+$/), 'Dockerfile:2']);
});

test('notes say what was not followed', async () => {
  const notes = await page.locator('section[aria-labelledby="h-notes"] li').allInnerTexts();
  expect(notes).toEqual([expect.stringMatching(/^Deployment jobs\/runner \/app\/run\.sh .*not followed/)]);
});

test('the filter and the severity choice hide the other rows', async () => {
  await page.fill('#filter', 'gunicorn');
  expect(await page.locator('tr[data-finding]:visible').count()).toBe(3);
  expect(await page.locator('#shown').innerText()).toBe('3 of 5 findings shown');
  await page.selectOption('#severity', 'warning');
  expect(await page.locator('tr[data-finding]:visible').count()).toBe(1);
  expect(await page.locator('section[data-namespace]:visible h3').allInnerTexts()).toEqual([
    'Namespace shop',
  ]);
  await page.fill('#filter', '');
  await page.selectOption('#severity', '');
  expect(await page.locator('tr[data-finding]:visible').count()).toBe(5);
});

test('sorting by workers orders the rows and says so', async () => {
  const table = page.locator('section[data-namespace]', { hasText: 'Namespace shop' }).locator('table');
  await table.locator('th button', { hasText: 'Workers' }).click();
  expect(await table.locator('th[aria-sort]').innerText()).toBe('Workers');
  expect(await table.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('ascending');
  const first = await table.locator('tbody tr').first().innerText();
  expect(first).toContain('4');
});

test('a hostile workload name is shown as text and runs nothing', async () => {
  expect(await page.evaluate('window.__pwned')).toBeUndefined();
  expect(await page.locator('main img').count()).toBe(0);
  const row = page.locator('tr[data-finding]', { hasText: 'Namespace' }).or(page.locator('tr[data-finding]'));
  const all = (await row.allInnerTexts()).join('\n');
  expect(all).toContain(HOSTILE);
});

test('the page fits a phone and is saved as a screenshot', async () => {
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.screenshot({ path: join(OUTPUT, 'html-report.png'), fullPage: true });
  await page.setViewportSize({ width: 380, height: 800 });
  const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: join(OUTPUT, 'html-report-phone.png'), fullPage: false });
});
