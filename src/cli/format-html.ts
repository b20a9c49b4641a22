/**
 * `--format html` for `check` and `audit`: one self-contained page — no network request, no external
 * asset — that works from `file://` and as a CI artifact.
 *
 * Every name, message and path on the page comes from the repository or cluster being checked, so all
 * of it is escaped as HTML text (`&`, `<`, `>`, `"`, `'`), and controls and bidi overrides are shown as
 * visible escapes (`printable`, the same as text output). The page carries a Content-Security-Policy
 * that allows only its own inline style and script, by hash: even if a value slipped through escaping,
 * the browser would run no script but ours. The findings are rendered into the HTML itself (the page
 * reads without script, and prints); the script only sorts and filters the rendered rows.
 */
import { createHash } from 'node:crypto';
import type { Finding, Note } from '../types';
import { printable } from './escape';
import type { CheckSummary } from './format-json';

export interface HtmlOptions {
  /** `oneproc check` or `oneproc audit`: the page's heading. */
  readonly command: 'check' | 'audit';
  /** Inputs that could not be read (check) or kinds that could not be listed (audit). */
  readonly inputErrors?: readonly string[];
  /** When the report was made; the page says it. */
  readonly generated?: Date;
  /** Warnings fail the run (`--strict`): the summary says so. */
  readonly strict?: boolean;
}

/** HTML text: escaped, with controls and bidi overrides shown as visible escapes. */
export function html(text: string): string {
  return printable(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:root{color-scheme:light;--fg:#1a1a1a;--muted:#4a4a4a;--bg:#fff;--line:#c8c8c8;--err:#a4000f;--warn:#7a4a00;--ok:#1d5e20;--exempt:#3b3b8f;--head:#f2f2f2}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.3rem;margin:1.5rem 0 .5rem;border-bottom:1px solid var(--line)}
h3{font-size:1.1rem;margin:1rem 0 .25rem}
.muted{color:var(--muted)}
.counts{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;padding:0;margin:0;list-style:none}
.counts li{min-width:7rem}
.counts b{display:block;font-size:1.6rem}
.error{color:var(--err)}.warning{color:var(--warn)}.exempted{color:var(--exempt)}.pass{color:var(--ok)}
table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem}
th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:var(--head)}
th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;color:inherit;text-decoration:underline dotted}
th button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #1a4fd6;outline-offset:2px}
td.msg{white-space:pre-wrap;overflow-wrap:anywhere}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
td.rule code{white-space:nowrap;overflow-wrap:normal}
ol.chain{margin:.25rem 0;padding-left:1.25rem}
.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin:.5rem 0}
.filters label{display:flex;flex-direction:column;font-weight:bold}
input,select{font:inherit;padding:.25rem;border:1px solid #767676;border-radius:3px}
[hidden]{display:none!important}
@media (max-width:40rem){
 table,thead,tbody,tr,th,td{display:block}
 thead{position:absolute;left:-9999px}
 tr{border:1px solid var(--line);margin:0 0 .75rem}
 td{border:0;border-bottom:1px solid #e6e6e6}
 td::before{content:attr(data-label);display:block;font-weight:bold;color:var(--muted)}
}
@media print{.filters,th button{display:none}thead{position:static}body{font-size:11pt}a{color:inherit}}
`;

const SCRIPT = `
(function(){
  var input=document.getElementById('filter');
  var sev=document.getElementById('severity');
  var status=document.getElementById('shown');
  var rows=Array.prototype.slice.call(document.querySelectorAll('tr[data-finding]'));
  function apply(){
    var q=input.value.trim().toLowerCase();var s=sev.value;var n=0;
    rows.forEach(function(r){
      var ok=(s===''||r.getAttribute('data-state')===s)&&(q===''||r.textContent.toLowerCase().indexOf(q)>=0);
      r.hidden=!ok;if(ok)n++;
    });
    document.querySelectorAll('section[data-namespace]').forEach(function(sec){
      sec.hidden=!sec.querySelector('tr[data-finding]:not([hidden])');
    });
    status.textContent=n+' of '+rows.length+' findings shown';
  }
  input.addEventListener('input',apply);sev.addEventListener('change',apply);
  document.querySelectorAll('th button[data-col]').forEach(function(b){
    b.addEventListener('click',function(){
      var th=b.parentNode;var table=th.closest('table');var col=Number(b.getAttribute('data-col'));
      var asc=th.getAttribute('aria-sort')!=='ascending';
      table.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      var body=table.tBodies[0];
      var list=Array.prototype.slice.call(body.rows);
      list.sort(function(a,b){
        var x=a.cells[col].getAttribute('data-key')||a.cells[col].textContent;
        var y=b.cells[col].getAttribute('data-key')||b.cells[col].textContent;
        var nx=Number(x),ny=Number(y);
        var c=(x!==''&&y!==''&&!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);
        return asc?c:-c;
      });
      list.forEach(function(r){body.appendChild(r);});
    });
  });
  apply();
})();
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The state a row is filtered by: an exempted finding is neither an error nor a warning of the run. */
function state(f: Finding): 'error' | 'warning' | 'exempted' {
  return f.exempted ? 'exempted' : f.severity;
}

function workloadOf(f: Finding): string {
  const o = f.origin;
  if (o.kind || o.name) return `${o.kind ?? 'object'} ${o.name ?? '(unnamed)'}`;
  return o.file ?? '(input)';
}

function where(f: Finding): string {
  const o = f.origin;
  if (!o.file) return '';
  return o.line !== undefined ? `${o.file}:${o.line}` : o.file;
}

function findingRow(f: Finding): string {
  const st = state(f);
  const chain =
    f.origin.chain && f.origin.chain.length > 0
      ? `<ol class="chain" aria-label="from the manifest to the decisive line">${f.origin.chain
          .map((c) => `<li><code>${html(c)}</code></li>`)
          .join('')}</ol>`
      : '';
  const exemption = f.exempted
    ? `<p class="exempted">Exempted: ${html(f.exempted.reason)}${
        f.exempted.until ? ` (until ${html(f.exempted.until)})` : ''
      }</p>`
    : '';
  const loc = where(f);
  return (
    `<tr data-finding data-state="${st}">` +
    `<td data-label="Severity" class="${st}" data-key="${st === 'error' ? 0 : st === 'warning' ? 1 : 2}">${st}</td>` +
    `<td data-label="Workload">${html(workloadOf(f))}</td>` +
    `<td data-label="Container">${html(f.origin.container ?? '')}</td>` +
    `<td data-label="Rule" class="rule"><code>${html(f.rule)}</code></td>` +
    `<td data-label="Workers" data-key="${f.workers ?? ''}">${f.workers ?? 'unknown'}</td>` +
    `<td data-label="Finding" class="msg">${html(f.message)}${exemption}` +
    `${loc ? `<p>At <code>${html(loc)}</code>` : '<p>'}${
      f.path && f.path !== loc ? ` field <code>${html(f.path)}</code>` : ''
    }</p>${chain}</td>` +
    '</tr>'
  );
}

const HEAD_COLUMNS = ['Severity', 'Workload', 'Container', 'Rule', 'Workers', 'Finding'];

function findingTable(findings: readonly Finding[], caption: string): string {
  const head = HEAD_COLUMNS.map(
    (c, i) => `<th scope="col"><button type="button" data-col="${i}">${c}</button></th>`,
  ).join('');
  return `<table><caption class="muted">${caption}</caption><thead><tr>${head}</tr></thead><tbody>${findings
    .map(findingRow)
    .join('')}</tbody></table>`;
}

function noteItem(n: Note): string {
  const place = n.file ? `${n.file}${n.line !== undefined ? `:${n.line}` : ''}` : '';
  const owner =
    n.kind || n.name ? `${n.kind ?? ''} ${n.namespace ? `${n.namespace}/` : ''}${n.name ?? ''}`.trim() : '';
  return `<li>${place ? `<code>${html(place)}</code> ` : ''}${owner ? `<span class="muted">${html(owner)}</span> ` : ''}${html(n.message)}</li>`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Renders the report page. Pure: the same findings give the same page (but for `generated`). */
export function formatHtml(
  findings: readonly Finding[],
  checked: CheckSummary,
  notes: readonly Note[],
  options: HtmlOptions,
): string {
  const errors = findings.filter((f) => state(f) === 'error').length;
  const warnings = findings.filter((f) => state(f) === 'warning').length;
  const exempted = findings
    .filter((f) => f.exempted)
    // Soonest expiry first; exemptions without a date last (they never expire).
    .sort((a, b) => (a.exempted?.until ?? '\uffff').localeCompare(b.exempted?.until ?? '\uffff'));
  const byNamespace = new Map<string, Finding[]>();
  for (const f of findings) {
    const ns = f.origin.namespace ?? '';
    const list = byNamespace.get(ns);
    if (list) list.push(f);
    else byNamespace.set(ns, [f]);
  }
  const namespaces = [...byNamespace.keys()].sort((a, b) => a.localeCompare(b));
  const title = `oneproc ${options.command}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  const inputErrors = options.inputErrors ?? [];
  const verdict =
    errors > 0 || (options.strict && warnings > 0) || inputErrors.length > 0
      ? `<p class="error"><strong>Failed</strong>${options.strict ? ' (strict: warnings fail too)' : ''}.</p>`
      : `<p class="pass"><strong>Passed</strong>${notes.length > 0 ? ` — with ${plural(notes.length, 'link')} not followed (see Notes)` : ''}.</p>`;
  const counts = [
    ['documents', checked.documents, ''],
    ['containers', checked.containers, ''],
    ...(checked.images ? [['images', checked.images, '']] : []),
    ...(checked.services ? [['services', checked.services, '']] : []),
    ['errors', errors, 'error'],
    ['warnings', warnings, 'warning'],
    ['exempted', exempted.length, 'exempted'],
    ['notes', notes.length, ''],
  ] as const;
  const summary = `<ul class="counts">${counts
    .map(([label, n, cls]) => `<li${cls ? ` class="${cls}"` : ''}><b>${n}</b>${label}</li>`)
    .join('')}</ul>`;
  const exemptions =
    exempted.length === 0
      ? '<p>No finding is exempted.</p>'
      : `<table><caption class="muted">Soonest expiry first</caption><thead><tr><th scope="col">Until</th><th scope="col">Workload</th><th scope="col">Container</th><th scope="col">Rule</th><th scope="col">Reason</th></tr></thead><tbody>${exempted
          .map(
            (f) =>
              `<tr><td data-label="Until">${html(f.exempted?.until ?? 'no expiry')}</td><td data-label="Workload">${html(
                `${f.origin.namespace ? `${f.origin.namespace}/` : ''}${workloadOf(f)}`,
              )}</td><td data-label="Container">${html(f.origin.container ?? '')}</td><td data-label="Rule"><code>${html(
                f.rule,
              )}</code></td><td data-label="Reason">${html(f.exempted?.reason ?? '')}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const groups =
    findings.length === 0
      ? '<p class="pass">No findings.</p>'
      : namespaces
          .map((ns) => {
            const list = byNamespace.get(ns) ?? [];
            const heading = ns === '' ? 'No namespace' : `Namespace ${html(ns)}`;
            return `<section data-namespace aria-label="${heading}"><h3>${heading}</h3>${findingTable(
              list,
              plural(list.length, 'finding'),
            )}</section>`;
          })
          .join('');
  const notesHtml =
    notes.length === 0 && inputErrors.length === 0
      ? '<p>Everything named was followed to its end.</p>'
      : `<ul>${inputErrors.map((e) => `<li class="error">${html(e)}</li>`).join('')}${notes.map(noteItem).join('')}</ul>`;
  const csp = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; base-uri 'none'; form-action 'none'`;
  const generated = options.generated ? ` on ${html(options.generated.toISOString())}` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${html(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>oneproc ${options.command}</h1><p class="muted">Report made by oneproc${generated}.</p></header>
<main>
<section aria-labelledby="h-summary"><h2 id="h-summary">Summary</h2>${verdict}${summary}</section>
<section aria-labelledby="h-exempt"><h2 id="h-exempt">Exemptions</h2>${exemptions}</section>
<section aria-labelledby="h-findings"><h2 id="h-findings">Findings by namespace</h2>
<div class="filters" role="search"><label for="filter">Filter<input id="filter" type="search" placeholder="name, rule, message…"></label><label for="severity">Show<select id="severity"><option value="">all</option><option value="error">errors</option><option value="warning">warnings</option><option value="exempted">exempted</option></select></label><p id="shown" role="status" aria-live="polite">${plural(findings.length, 'finding')}</p></div>
${groups}</section>
<section aria-labelledby="h-notes"><h2 id="h-notes">Notes: what was not followed</h2>${notesHtml}</section>
</main>
<footer><p class="muted">oneproc — one process per container; scale with replicas.</p></footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
