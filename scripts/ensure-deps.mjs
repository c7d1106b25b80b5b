// Installs npm dependencies when node_modules is missing or older than the manifest/lockfile,
// so that `npm start` and `npm test` work on a fresh clone with no other step.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const stamp = 'node_modules/.package-lock.json';
const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : 0);
const stale =
  !existsSync(stamp) ||
  mtime('package.json') > mtime(stamp) ||
  mtime('package-lock.json') > mtime(stamp);

if (stale) {
  const cmd = existsSync('package-lock.json') ? 'npm ci' : 'npm install';
  console.log(`[agent-gadgets] dependencies missing or out of date: running ${cmd}`);
  execSync(`${cmd} --no-audit --no-fund`, { stdio: 'inherit' });
}
