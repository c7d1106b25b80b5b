// Installs npm dependencies when node_modules is missing or older than the manifest/lockfile,
// so that `npm start` and `npm test` work on a fresh clone with no other step.
import { existsSync, statSync, utimesSync } from 'node:fs';
import { execSync } from 'node:child_process';

const stamp = 'node_modules/.package-lock.json';
const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : 0);
const stale =
  !existsSync(stamp) ||
  mtime('package.json') > mtime(stamp) ||
  mtime('package-lock.json') > mtime(stamp);

if (stale) {
  // Not `npm ci`: the registry reachable here omits some optional platform packages (rollup's),
  // so the lockfile cannot list them and `npm ci` refuses it; `npm install` still honours the lock.
  const cmd = 'npm install';
  console.log(`[agent-gadgets] dependencies missing or out of date: running ${cmd}`);
  execSync(`${cmd} --no-audit --no-fund`, { stdio: 'inherit' });
  // npm leaves the stamp untouched when nothing changed; touch it so the next run skips this.
  const now = new Date();
  utimesSync(stamp, now, now);
}
