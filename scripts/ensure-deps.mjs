// Installs npm dependencies when node_modules is missing or older than the manifest/lockfile,
// so that `npm start` and `npm test` work on a fresh clone with no other step.
// `npm ci`, never `npm install`: the committed lockfile is the source of truth, and a start or a
// test run must not rewrite it (`npm install` re-resolves ranges and may update the lock).
import { existsSync, statSync, utimesSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const stamp = 'node_modules/.package-lock.json';
const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : 0);
const stale =
  !existsSync(stamp) ||
  mtime('package.json') > mtime(stamp) ||
  mtime('package-lock.json') > mtime(stamp);

if (stale) {
  console.log('[agent-gadgets] dependencies missing or out of date: running npm ci');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(
      '[agent-gadgets] npm ci failed. If you changed package.json, run `npm install` once to ' +
        'update package-lock.json and commit both.',
    );
    process.exit(r.status ?? 1);
  }
  // npm leaves the stamp untouched when nothing changed; touch it so the next run skips this.
  const now = new Date();
  utimesSync(stamp, now, now);
}
