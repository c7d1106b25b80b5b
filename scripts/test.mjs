// `npm test`: the browser suites (web-test-runner in headless Chromium), then the Node suites:
// the reference cluster and the core in Node (test/node), the Finesse gadget specs against the
// build (test/gadgets), and end-to-end tests driving Chromium with playwright-core (test/e2e).
// Exits non-zero when any step fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function run(cmd, args) {
  console.log(`\n[agent-gadgets] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return findTests(p);
    return /\.test\.m?js$/.test(name) ? [p] : [];
  });
}

const only = process.argv[2];
if (only !== 'node') {
  run('npx', ['web-test-runner', '--config', 'web-test-runner.config.mjs']);
}
if (only !== 'browser') {
  const nodeTests = ['test/node', 'test/gadgets', 'test/e2e'].flatMap(findTests);
  if (nodeTests.length > 0) {
    run('node', ['--test', '--test-concurrency=1', '--test-reporter=spec', ...nodeTests]);
  }
}
