// `cem analyze` settings and plugins (run by `npm run analyze` and `npm run build`). The plugins
// complete what JSDoc alone gives, from the sources the elements already have, so the element
// files need no extra tags:
//   - every event gets its class as `type` and its `detail` shape (from src/events.ts);
//   - every --ag-* custom property gets its default (the `var(--ag-x, default)` in the styles);
//   - module paths point at the shipped files (dist/lib/**/*.js), not at src/ (not shipped);
// and then write the IDE data generated from the finished manifest:
//   - vscode.html-custom-data.json (VS Code's html.customData)
//   - web-types.json (JetBrains IDEs; package.json "web-types")
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

/** Text from `open` to its matching close (braces/parens), for multi-line types. */
function balanced(text, start) {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '(' || c === '<') depth++;
    else if (c === '}' || c === ')' || c === '>') {
      if (depth === 0) return text.slice(start, i);
      depth--;
    } else if ((c === ';' || c === ',') && depth === 0) return text.slice(start, i);
  }
  return text.slice(start);
}

/** The body of a `{ ... }` whose opening brace ends just before `start`. */
function braceBody(text, start) {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && depth-- === 0) return text.slice(start, i);
  }
  return text.slice(start);
}

const squash = (t) => t.replace(/\s+/g, ' ').replace(/\{ /g, '{ ').trim();

/** Event name -> { className, detail } from src/events.ts (interfaces inlined). */
function eventTypes() {
  const src =
    readFileSync('src/events.ts', 'utf8') + readFileSync('src/protocol/errors.ts', 'utf8');
  const interfaces = new Map();
  for (const m of src.matchAll(/export interface (\w+) \{/g)) {
    const body = braceBody(src, m.index + m[0].length);
    interfaces.set(
      m[1],
      squash(`{ ${body.replace(/\/\*\*[\s\S]*?\*\//g, '')} }`).replace(/readonly /g, ''),
    );
  }
  const events = new Map();
  for (const m of src.matchAll(/export class (\w+) extends Event \{([\s\S]*?)\n\}/g)) {
    const body = /** @type {string} */ (m[2]);
    const type = /static readonly type = '([\w-]+)'/.exec(body)?.[1];
    const at = body.indexOf('readonly detail:');
    if (!type || at < 0) continue;
    let detail = squash(balanced(body, at + 'readonly detail:'.length)).replace(/readonly /g, '');
    detail = interfaces.get(detail) ?? detail;
    events.set(type, { className: m[1], detail });
  }
  return events;
}

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** --ag-x -> { light, dark? }: the first two defaults found (the theme lists light, then dark). */
function cssDefaults() {
  const files = [
    'src/styles/theme.ts',
    ...sourceFiles('src').filter((f) => f.endsWith('.styles.ts')),
  ];
  const defaults = new Map();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/var\((--ag-[\w-]+),\s*/g)) {
      const value = squash(balanced(text, m.index + m[0].length));
      const seen = defaults.get(m[1]) ?? [];
      if (!seen.includes(value)) seen.push(value);
      defaults.set(m[1], seen);
    }
  }
  return defaults;
}

const elements = (manifest) =>
  manifest.modules.flatMap((m) =>
    (m.declarations ?? []).filter((d) => d.customElement && d.tagName),
  );

function agTypes() {
  return {
    name: 'ag-event-and-css-types',
    packageLinkPhase({ customElementsManifest }) {
      const events = eventTypes();
      const css = cssDefaults();
      for (const el of elements(customElementsManifest)) {
        for (const e of el.events ?? []) {
          const t = events.get(e.name);
          if (!t) throw new Error(`[cem] ${el.tagName} fires ${e.name}, which src/events.ts lacks`);
          e.type = { text: t.className };
          e.detail = { text: t.detail };
        }
        for (const p of el.cssProperties ?? []) {
          const [light, dark] = css.get(p.name) ?? [];
          if (light !== undefined) p.default = light;
          if (dark !== undefined)
            p.description = `${p.description ?? ''} (dark scheme: ${dark})`.trim();
        }
      }
    },
  };
}

/** src/x/y.ts -> dist/lib/x/y.js, everywhere the manifest names a module. */
function shippedPaths() {
  const rewrite = (v) =>
    typeof v === 'string' && /^\/?src\/.*\.ts$/.test(v)
      ? v.replace(/^\/?src\//, 'dist/lib/').replace(/\.ts$/, '.js')
      : v;
  const walk = (o) => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object')
      for (const k of Object.keys(o)) {
        if ((k === 'path' || k === 'module') && typeof o[k] === 'string') o[k] = rewrite(o[k]);
        else walk(o[k]);
      }
  };
  return {
    name: 'ag-shipped-paths',
    packageLinkPhase({ customElementsManifest }) {
      walk(customElementsManifest.modules);
    },
  };
}

/** `'light' | 'dark' | undefined` -> ['light', 'dark']; a non-literal type gives []. */
function literals(typeText = '') {
  const parts = typeText.split('|').map((s) => s.trim());
  const values = parts.filter((s) => /^'[^']*'$/.test(s)).map((s) => s.slice(1, -1));
  return values.length === parts.filter((s) => s !== 'undefined' && s !== 'null').length
    ? values
    : [];
}

function ideData() {
  return {
    name: 'ag-ide-data',
    packageLinkPhase({ customElementsManifest }) {
      const els = elements(customElementsManifest);
      const doc = (d) => [d.summary, d.description].filter(Boolean).join('\n\n');
      const vscode = {
        $schema:
          'https://raw.githubusercontent.com/microsoft/vscode-html-languageservice/main/docs/customData.schema.json',
        version: 1.1,
        tags: els.map((el) => ({
          name: el.tagName,
          description: doc(el),
          attributes: (el.attributes ?? []).map((a) => ({
            name: a.name,
            description: [a.description, a.default ? `Default: ${a.default}` : '']
              .filter(Boolean)
              .join('\n\n'),
            ...(literals(a.type?.text).length
              ? { values: literals(a.type.text).map((name) => ({ name })) }
              : a.type?.text === 'boolean'
                ? { valueSet: 'v' }
                : {}),
          })),
        })),
      };
      const webTypes = {
        $schema: 'https://json.schemastore.org/web-types',
        name: pkg.name,
        version: pkg.version,
        'description-markup': 'markdown',
        contributions: {
          html: {
            elements: els.map((el) => ({
              name: el.tagName,
              description: doc(el),
              attributes: (el.attributes ?? []).map((a) => ({
                name: a.name,
                description: a.description,
                ...(a.default ? { default: a.default } : {}),
                value: { type: a.type?.text ?? 'string' },
              })),
              js: {
                properties: (el.members ?? [])
                  .filter(
                    (m) =>
                      m.kind === 'field' &&
                      !m.static &&
                      m.privacy !== 'private' &&
                      m.privacy !== 'protected',
                  )
                  .map((m) => ({ name: m.name, description: m.description, type: m.type?.text })),
                events: (el.events ?? []).map((e) => ({
                  name: e.name,
                  description:
                    `${e.description ?? ''}\n\n\`${e.type?.text}\`, detail: \`${e.detail?.text}\``.trim(),
                })),
              },
              css: {
                properties: (el.cssProperties ?? []).map((p) => ({
                  name: p.name,
                  description: `${p.description ?? ''}${p.default ? ` (default: ${p.default})` : ''}`,
                })),
                parts: (el.cssParts ?? []).map((p) => ({
                  name: p.name,
                  description: p.description,
                })),
              },
            })),
          },
        },
      };
      writeFileSync('vscode.html-custom-data.json', JSON.stringify(vscode, null, 2) + '\n');
      writeFileSync('web-types.json', JSON.stringify(webTypes, null, 2) + '\n');
    },
  };
}

export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/react/jsx.ts'],
  outdir: '.',
  litelement: true,
  plugins: [agTypes(), shippedPaths(), ideData()],
};
