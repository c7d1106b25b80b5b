// custom-elements.json as the cem plugins (custom-elements-manifest.config.mjs) complete it, and
// the IDE data generated from it: events typed with their detail, custom properties with
// defaults, module paths into the shipped dist/lib, both tags in the VS Code and JetBrains files.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (f) => JSON.parse(readFileSync(join(root, f), 'utf8'));
let elements;

before(() => {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/.bin/cem'), 'analyze'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  elements = read('custom-elements.json').modules.flatMap((m) =>
    (m.declarations ?? []).filter((d) => d.customElement).map((d) => ({ ...d, path: m.path })),
  );
});

test('both elements, at module paths of the shipped package', () => {
  assert.deepEqual(elements.map((e) => e.tagName).sort(), ['ag-chat-panel', 'ag-survey-transfer']);
  for (const e of elements) {
    assert.match(e.path, /^dist\/lib\/.+\.js$/);
    const source = e.path.replace(/^dist\/lib\//, 'src/').replace(/\.js$/, '.ts');
    assert.ok(existsSync(join(root, source)), `${e.path} maps back to ${source}`);
  }
});

test('every event names its class and detail, as src/events.ts declares them', () => {
  const events = readFileSync(join(root, 'src/events.ts'), 'utf8');
  for (const el of elements) {
    assert.ok(el.events.length >= 5, el.tagName);
    for (const e of el.events) {
      assert.match(e.type.text, /^Ag\w+Event$/, `${el.tagName} ${e.name}`);
      assert.ok(
        new RegExp(
          `class ${e.type.text} extends Event \\{\\s*static readonly type = '${e.name}'`,
        ).test(events),
        `${e.type.text} is the class of ${e.name}`,
      );
      assert.match(e.detail.text, /^\{ .+ \}$/, `${e.name} detail`);
    }
  }
  const relocated = elements[0].events.find((e) => e.name === 'ag-relocated');
  assert.equal(relocated.detail.text, '{ from: string; to: string; gapMs: number; }');
});

test('every --ag-* custom property has its default', () => {
  for (const el of elements) {
    for (const p of el.cssProperties) assert.ok(p.default, `${el.tagName} ${p.name} has a default`);
  }
  const chat = elements.find((e) => e.tagName === 'ag-chat-panel');
  const prop = (n) => chat.cssProperties.find((p) => p.name === n);
  assert.equal(prop('--ag-surface').default, '#ffffff');
  assert.match(prop('--ag-surface').description, /dark scheme: #16191d/);
  assert.equal(prop('--ag-chat-height').default, '28rem');
});

test('VS Code custom data and web-types describe both tags from the manifest', () => {
  const vscode = read('vscode.html-custom-data.json');
  assert.equal(vscode.version, 1.1);
  const chat = vscode.tags.find((t) => t.name === 'ag-chat-panel');
  const theme = chat.attributes.find((a) => a.name === 'theme');
  assert.deepEqual(
    theme.values.map((v) => v.name),
    ['light', 'dark'],
  );
  assert.ok(chat.attributes.some((a) => a.name === 'interaction-id'));

  const webTypes = read('web-types.json');
  const pkg = read('package.json');
  assert.equal(pkg['web-types'], './web-types.json');
  assert.ok(
    pkg.files.includes('web-types.json') && pkg.files.includes('vscode.html-custom-data.json'),
  );
  const survey = webTypes.contributions.html.elements.find((e) => e.name === 'ag-survey-transfer');
  assert.ok(
    survey.js.events.some(
      (e) => e.name === 'ag-survey-status' && /AgSurveyStatusEvent/.test(e.description),
    ),
  );
  assert.ok(survey.css.parts.some((p) => p.name === 'action'));
  assert.ok(survey.js.properties.some((p) => p.name === 'tokenProvider'));
});
