// The browser tests need Chromium. Debian's package is the one verified here; no npm package
// downloads a browser. As root with apt we install it; otherwise we say what is missing.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const path = process.env.CHROME_PATH ?? '/usr/bin/chromium';
if (!existsSync(path)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    console.log('[agent-gadgets] installing Debian chromium for the browser tests');
    execSync(
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium',
      {
        stdio: 'inherit',
        shell: '/bin/bash',
      },
    );
  } else {
    console.error(
      `[agent-gadgets] Chromium not found at ${path}.\n` +
        '  Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROME_PATH to a Chromium/Chrome binary.',
    );
    process.exit(1);
  }
}
