// What ships carries the licence notices of what it contains: the minifier drops the libraries'
// own licence comments, so each element bundle (dist/bundles, and the Finesse upload folder) and
// the library's vendored socket.io stack and rxjs (dist/lib/vendor) have a `.licenses.md` beside it, with
// the licence text of every package in it, and names it in its first line. The package list is
// read from the build's own record (Vite's `build.license`), so a library added to a bundle
// without a licence text fails the build, not this test; this test fails when a notice is
// missing, does not travel with its bundle, or lacks a library the bundle is made of.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, root } from '../e2e/support.mjs';

before(() => ensureBuilt());

/** `## name version (identifier)` sections of a notice, with their text */
function sections(file) {
  const parts = readFileSync(file, 'utf8').split(/^## /m).slice(1);
  return parts.map((p) => {
    const [head = '', ...body] = p.split('\n');
    const m = /^(\S+) (\S+) \(([^)]+)\)$/.exec(head.trim());
    assert.ok(m, `${file}: heading "${head}"`);
    return { name: m[1], version: m[2], identifier: m[3], text: body.join('\n').trim() };
  });
}

const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

for (const name of ['ag-chat-panel', 'ag-survey-transfer']) {
  test(`${name}.js names its notice, and the notice covers agent-gadgets, lit, rxjs and socket.io`, () => {
    for (const dir of ['dist/bundles', 'dist/gadgets/agent-gadgets/bundles']) {
      const bundle = join(root, dir, `${name}.js`);
      const notice = join(root, dir, `${name}.licenses.md`);
      assert.ok(existsSync(notice), `${dir}/${name}.licenses.md is missing`);
      const firstLine = readFileSync(bundle, 'utf8').split('\n', 1)[0] ?? '';
      assert.match(firstLine, new RegExp(`^/\\*! .*\\./${name}\\.licenses\\.md \\*/$`));
      const found = sections(notice);
      const names = found.map((s) => s.name);
      for (const needed of [
        'agent-gadgets',
        'lit',
        'lit-html',
        'lit-element',
        '@lit/reactive-element',
        'rxjs',
        'socket.io-client',
        'engine.io-client',
      ])
        assert.ok(names.includes(needed), `${dir}/${name}.licenses.md lacks ${needed}`);
      for (const s of found) assert.ok(s.text.length > 200, `${s.name}: no licence text`);
      const own = found.find((s) => s.name === 'agent-gadgets');
      assert.equal(own?.version, packageJson.version);
      assert.equal(own?.identifier, packageJson.license);
    }
  });
}

test("dist/lib's vendored rxjs names its notice, which covers what it contains", () => {
  const dir = join(root, 'dist/lib/vendor');
  const firstLine = readFileSync(join(dir, 'rxjs.js'), 'utf8').split('\n', 1)[0] ?? '';
  assert.match(firstLine, /^\/\*! rxjs .*Licences: \.\/rxjs\.licenses\.md \*\/$/);
  const found = sections(join(dir, 'rxjs.licenses.md'));
  // the cuts leave tslib out (its async helpers served only the async-iterable inputs)
  assert.deepEqual(
    found.map((s) => `${s.name} (${s.identifier})`),
    ['rxjs (Apache-2.0)'],
  );
  assert.ok((found[0]?.text.length ?? 0) > 5000, 'the Apache-2.0 text');
});

test("dist/lib's vendored socket.io stack names its notice, which covers what it contains", () => {
  const dir = join(root, 'dist/lib/vendor');
  const firstLine = readFileSync(join(dir, 'socket.io-client.js'), 'utf8').split('\n', 1)[0] ?? '';
  assert.match(firstLine, /^\/\*! .*Licences: \.\/socket\.io-client\.licenses\.md \*\/$/);
  const found = sections(join(dir, 'socket.io-client.licenses.md'));
  assert.deepEqual(found.map((s) => s.name).sort(), [
    '@socket.io/component-emitter',
    'engine.io-client',
    'engine.io-parser',
    'socket.io-client',
    'socket.io-parser',
  ]);
  for (const s of found) assert.equal(s.identifier, 'MIT', s.name);
  // the version that runs is the one package.json pins (what audit tools read)
  assert.equal(
    found.find((s) => s.name === 'socket.io-client')?.version,
    packageJson.dependencies['socket.io-client'],
  );
});
