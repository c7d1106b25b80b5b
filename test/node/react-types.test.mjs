// The React JSX types and wrappers (src/react) hold for real: tsc accepts a sample app
// (test/react/fixtures/pass.tsx) and rejects a broken one (fail.tsx) with exactly the errors its
// `{/* expect TSxxxx */}` markers name, on the lines after them and no others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = join(root, 'test/react/fixtures');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

/** Runs tsc on one sample with the fixtures' settings; returns `{ line, code }` per error. */
function typecheck(file) {
  const dir = mkdtempSync(join(tmpdir(), 'ag-react-types-'));
  try {
    const config = join(dir, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify({
        extends: join(fixtures, 'tsconfig.json'),
        compilerOptions: { typeRoots: [join(root, 'node_modules/@types')] },
        files: [join(fixtures, file)],
      }),
    );
    const r = spawnSync(process.execPath, [tsc, '-p', config, '--pretty', 'false'], {
      cwd: root,
      encoding: 'utf8',
    });
    const errors = [...r.stdout.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+):/gm)].map((m) => ({
      file: m[1],
      line: Number(m[2]),
      code: m[3],
    }));
    return { status: r.status, output: r.stdout + r.stderr, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a React 19 app using both tags and both wrappers type-checks', () => {
  const r = typecheck('pass.tsx');
  assert.equal(r.status, 0, r.output);
  assert.deepEqual(r.errors, []);
});

test('wrong property types, unknown tags and mistyped event handlers do not', () => {
  const expected = readFileSync(join(fixtures, 'fail.tsx'), 'utf8')
    .split('\n')
    .flatMap((text, i) => {
      const m = /\{\/\* expect (TS\d+) \*\/\}/.exec(text);
      return m ? [`${i + 2} ${m[1]}`] : []; // the line after the marker (1-based)
    });
  assert.ok(expected.length >= 5, 'the sample marks its errors');
  const r = typecheck('fail.tsx');
  assert.notEqual(r.status, 0, 'tsc must fail on fail.tsx');
  for (const e of r.errors) assert.match(e.file ?? '', /fail\.tsx$/, r.output ?? '');
  const got = [...new Set(r.errors.map((e) => `${e.line} ${e.code}`))];
  assert.deepEqual(got.sort(), [...expected].sort(), r.output);
});
