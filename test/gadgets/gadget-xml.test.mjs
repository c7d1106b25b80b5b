// The Finesse gadget specs (gadgets/*.xml) against what the Finesse container needs, and the
// upload folder the build produces (dist/gadgets/agent-gadgets/): every script a spec loads that
// is ours must be there, next to the XML, and be the self-contained bundle for the element the
// spec uses. Runs `scripts/build.mjs` first when dist is missing or older than its sources.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { ensureBuilt, root } from '../e2e/support.mjs';

const gadgetsDir = join(root, 'gadgets');
const uploadDir = join(root, 'dist/gadgets/agent-gadgets');
const UPLOAD_PATH = '/3rdpartygadget/files/agent-gadgets/';

const read = (f) => readFileSync(f, 'utf8');
const isSpec = (xml) => /<Module[\s>]/.test(xml);
const specFiles = readdirSync(gadgetsDir).filter(
  (f) => f.endsWith('.xml') && isSpec(read(join(gadgetsDir, f))),
);

/** Attributes of one tag, e.g. `<script type="module" src="x">` -> { type, src }. */
function attrs(tag) {
  return Object.fromEntries(
    [...tag.matchAll(/([\w:-]+)\s*=\s*"([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );
}

/**
 * Well-formedness, enough for these files: comments, CDATA, the XML declaration and processing
 * instructions removed, every start tag must be closed in order.
 */
function assertBalanced(xml, file) {
  const stripped = xml
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '')
    .replace(/<\?[\s\S]*?\?>/g, '');
  const stack = [];
  for (const m of stripped.matchAll(/<(\/?)([A-Za-z][\w:.-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (selfClosing) continue;
    if (!closing) stack.push(name);
    else
      assert.equal(stack.pop(), name, `${file}: </${name}> closes <${stack.at(-1) ?? 'nothing'}>`);
  }
  assert.deepEqual(stack, [], `${file}: unclosed elements`);
  assert.doesNotMatch(
    stripped,
    /&(?!amp;|lt;|gt;|quot;|apos;|#\d+;|#x[0-9a-f]+;)/i,
    `${file}: bare & outside CDATA`,
  );
}

function parseSpec(file) {
  const xml = read(join(gadgetsDir, file));
  const modulePrefs = /<ModulePrefs\b([^>]*)>/.exec(xml);
  const contents = [
    ...xml.matchAll(/<Content\b([^>]*)>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/Content>/g),
  ];
  const html = contents.find((c) => (attrs(c[1]).type ?? 'html') === 'html')?.[2] ?? '';
  return {
    xml,
    title: modulePrefs ? attrs(modulePrefs[1]).title : undefined,
    features: [...xml.matchAll(/<Require\b([^>]*?)\/?>/g)].map((m) => attrs(m[1]).feature),
    userPrefs: [...xml.matchAll(/<UserPref\b([^>]*?)\/?>/g)].map((m) => attrs(m[1])),
    html,
    scripts: [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({
      ...attrs(m[1]),
      body: m[2],
    })),
  };
}

const finesseScript = (src) =>
  /^(__UP_scheme__:\/\/__UP_host__:__UP_hostPort__)?\/desktop\/assets\/js\//.test(src);

before(() => ensureBuilt());

test('there are gadget specs for both elements', () => {
  assert.deepEqual(specFiles.map((f) => parseSpec(f).html.match(/<(ag-[a-z-]+)/)?.[1]).sort(), [
    'ag-chat-panel',
    'ag-survey-transfer',
  ]);
});

for (const file of specFiles) {
  describe(file, () => {
    const spec = parseSpec(file);

    test('is well formed, with a titled <ModulePrefs> and one <Content type="html"> in CDATA', () => {
      assertBalanced(spec.xml, file);
      assert.match(spec.xml, /^(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<Module>/);
      assert.ok(spec.title, 'ModulePrefs has a title');
      assert.ok(spec.html.trim().length > 0, 'Content type="html" with a CDATA body');
    });

    test('requires the features Finesse gadgets need', () => {
      for (const feature of [
        'settitle',
        'dynamic-height',
        'pubsub-2',
        'setprefs',
        'loadingindicator',
      ]) {
        assert.ok(spec.features.includes(feature), `<Require feature="${feature}"/>`);
      }
    });

    test('loads jQuery, then finesse.js, from the Finesse server, before its own scripts', () => {
      const srcs = spec.scripts.map((s) => s.src).filter(Boolean);
      const jquery = srcs.findIndex((s) => finesseScript(s) && /jquery(\.min)?\.js$/.test(s));
      const finesse = srcs.findIndex((s) => finesseScript(s) && /finesse(\.min)?\.js$/.test(s));
      const ours = srcs.findIndex((s) => !finesseScript(s));
      assert.ok(jquery >= 0 && finesse > jquery, 'jquery before finesse.js');
      assert.ok(ours > finesse, 'our scripts after finesse.js');
    });

    test('starts from gadgets.HubSettings.onConnect', () => {
      assert.ok(spec.scripts.some((s) => /gadgets\.HubSettings\.onConnect\s*=/.test(s.body)));
    });

    test('declares every __UP_*__ preference it uses, and no credentials in it', () => {
      const declared = new Set(spec.userPrefs.map((p) => p.name));
      for (const [, name] of spec.xml.matchAll(/__UP_([\w.-]+)__/g))
        assert.ok(declared.has(name), `UserPref ${name}`);
      assert.doesNotMatch(spec.xml, /[?&](token|access_token|password)=/i);
    });

    test('every script of ours exists in the upload folder, next to the XML, as the bundle of the element it uses', () => {
      const ours = spec.scripts.filter((s) => s.src && !finesseScript(s.src));
      assert.ok(ours.length > 0);
      for (const s of ours) {
        assert.ok(
          !/^([a-z]+:)?\/\//i.test(s.src),
          `${s.src} is relative (served from whichever Finesse side is live)`,
        );
        assert.equal(s.type, 'module', `${s.src} is loaded as an ES module`);
        const built = join(uploadDir, posix.normalize(s.src));
        assert.ok(existsSync(built), `${s.src} exists in dist/gadgets/agent-gadgets/`);
        const code = read(built);
        assert.doesNotMatch(
          code,
          /^\s*import\s|\bimport\s*["']|from\s*["'](lit|rxjs|socket\.io-client)/m,
          `${s.src} is self-contained`,
        );
        const tag = spec.html.match(/<(ag-[a-z-]+)/)?.[1];
        assert.match(
          code,
          new RegExp(`customElements\\.define\\(["'\`]${tag}["'\`]`),
          `${s.src} defines <${tag}>`,
        );
      }
      assert.equal(read(join(uploadDir, file)), spec.xml, 'the upload folder has this spec as is');
    });
  });
}

test('the desktop layout snippet references uploaded specs only', () => {
  const layouts = readdirSync(gadgetsDir).filter(
    (f) => f.endsWith('.xml') && !isSpec(read(join(gadgetsDir, f))),
  );
  for (const f of layouts) {
    const xml = read(join(gadgetsDir, f));
    assertBalanced(xml, f);
    for (const m of xml.matchAll(/<gadget\b[^>]*>([^<]+)<\/gadget>/g)) {
      const url = /** @type {string} */ (m[1]);
      if (!url.startsWith(UPLOAD_PATH)) continue; // Finesse's own gadgets
      const name = /** @type {string} */ (url.slice(UPLOAD_PATH.length).split('?')[0]);
      assert.ok(specFiles.includes(name), `${f}: ${name} is a spec in gadgets/`);
      assert.ok(existsSync(join(uploadDir, name)), `${f}: ${name} is in the upload folder`);
    }
  }
});
