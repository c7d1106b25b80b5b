// The component reference page (demo/reference.html), generated from the custom elements
// manifest (served by the dev server at /__ag/custom-elements.json) and the error code table
// (src/protocol/errors.ts), so it cannot drift from what the package ships.
import { ErrorCodes } from '../../src/protocol/errors.js';

interface Named {
  name: string;
  description?: string;
  type?: { text: string };
  default?: string;
  detail?: { text: string };
}
interface Member extends Named {
  kind: string;
  static?: boolean;
  privacy?: string;
  readonly?: boolean;
  attribute?: string;
}
interface Element {
  tagName: string;
  name: string;
  summary?: string;
  description?: string;
  attributes?: Named[];
  members?: Member[];
  events?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
  slots?: Named[];
}
/** Any declaration: a function, a class, or a custom element (which has a tagName). */
type Declaration = { name: string; customElement?: boolean; tagName?: string } & Partial<
  Omit<Element, 'tagName' | 'name'>
>;
export interface Manifest {
  modules: { path: string; declarations?: Declaration[] }[];
}

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
/** Backticks in descriptions become <code>; everything else is text. */
const prose = (s: unknown) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');
const code = (s: unknown) => (s ? `<code>${esc(s)}</code>` : '');

function table(caption: string, columns: string[], rows: string[][]): string {
  if (rows.length === 0) return '';
  return `<h3>${esc(caption)}</h3><table><thead><tr>${columns.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function element(el: Element, path: string): string {
  const properties = (el.members ?? []).filter(
    (m) => m.kind === 'field' && !m.static && !m.privacy,
  );
  return [
    `<section aria-labelledby="${esc(el.tagName)}"><h2 id="${esc(el.tagName)}"><code>&lt;${esc(el.tagName)}&gt;</code></h2>`,
    `<p><strong>${prose(el.summary)}</strong></p><p>${prose(el.description)}</p>`,
    `<p>Class <code>${esc(el.name)}</code>, module <code>${esc(path)}</code>.</p>`,
    table(
      'Attributes',
      ['Attribute', 'Property', 'Type', 'Default', 'Description'],
      (el.attributes ?? []).map((a) => [
        code(a.name),
        code((a as Named & { fieldName?: string }).fieldName),
        code(a.type?.text),
        code(a.default),
        prose(a.description),
      ]),
    ),
    table(
      'Properties',
      ['Property', 'Attribute', 'Type', 'Default', 'Description'],
      properties.map((m) => [
        code(m.name) + (m.readonly ? ' (read-only)' : ''),
        code(m.attribute),
        code(m.type?.text),
        code(m.default),
        prose(m.description),
      ]),
    ),
    table(
      'Events',
      ['Event', 'Class', 'detail', 'Description'],
      (el.events ?? []).map((e) => [
        code(e.name),
        code(e.type?.text),
        code(e.detail?.text),
        prose(e.description),
      ]),
    ),
    table(
      'CSS parts',
      ['Part', 'Description'],
      (el.cssParts ?? []).map((p) => [code(p.name), prose(p.description)]),
    ),
    table(
      'CSS custom properties',
      ['Property', 'Default', 'Description'],
      (el.cssProperties ?? []).map((p) => [code(p.name), code(p.default), prose(p.description)]),
    ),
    table(
      'Slots',
      ['Slot', 'Description'],
      (el.slots ?? []).map((s) => [code(s.name || '(default)'), prose(s.description)]),
    ),
    '</section>',
  ].join('');
}

/** The whole page body for a manifest. */
export function renderReference(
  manifest: Manifest,
  codes: Record<string, string> = ErrorCodes,
): string {
  const elements = manifest.modules.flatMap((m) =>
    (m.declarations ?? [])
      .filter((d) => d.customElement && d.tagName)
      .map((d) => element(d as Element, m.path)),
  );
  const errors = table(
    'Error codes',
    ['Code', 'Constant'],
    Object.entries(codes).map(([name, value]) => [code(value), code(`ErrorCodes.${name}`)]),
  );
  return [
    '<h1>agent-gadgets component reference</h1>',
    '<p>Generated from <code>custom-elements.json</code> and <code>src/protocol/errors.ts</code>. ',
    '<code>ag-error</code> events and <code>failed</code> states carry one of the error codes below.</p>',
    ...elements,
    `<section aria-labelledby="error-codes"><h2 id="error-codes">Error codes</h2>${errors.replace('<h3>Error codes</h3>', '')}</section>`,
  ].join('');
}

async function main() {
  const main = document.getElementById('reference');
  if (!main) return;
  const res = await fetch('/__ag/custom-elements.json');
  if (!res.ok) {
    main.innerHTML = `<h1>agent-gadgets component reference</h1><p role="alert">${esc(await res.text())}</p>`;
  } else {
    main.innerHTML = renderReference((await res.json()) as Manifest);
  }
  main.removeAttribute('aria-busy');
}

if (document.getElementById('reference')) void main();
