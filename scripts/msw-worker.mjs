// The msw worker our servers (the demo's Vite server, web-test-runner, the bench) serve at
// /mockServiceWorker.js: msw's own file, unchanged, and one more message handler after it.
//
// A service worker claims the pages of its scope once, when it activates; a page whose navigation
// was still in flight then (test files open pages concurrently, and each page's mock start may
// be the one that installs the worker) is skipped and stays uncontrolled while the registration
// exists. msw takes such a page for a hard reload and reloads it, which kills a running test
// file ("the page was reloaded"). With this handler the page asks the active worker to claim it
// instead (src/mocks/msw-glue.ts sends the request); a worker without it, as `npx msw init`
// writes it, ignores the request and msw's reload stays the fallback.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The message src/mocks/msw-glue.ts posts; the two must stay equal. */
export const claimRequest = 'AG_CLAIM_REQUEST';

/**
 * The worker script: msw's, then the claim handler.
 * @param {string} root the project root (where node_modules/msw is)
 * @returns {string}
 */
export function mswWorkerSource(root) {
  const msw = readFileSync(join(root, 'node_modules/msw/lib/mockServiceWorker.js'), 'utf8');
  return `${msw}
// agent-gadgets (scripts/msw-worker.mjs): claim a page that asks, when its navigation missed
// this worker's activation.
addEventListener('message', (event) => {
  if (event.data === ${JSON.stringify(claimRequest)}) {
    event.waitUntil(self.clients.claim().catch(() => undefined));
  }
});
`;
}
