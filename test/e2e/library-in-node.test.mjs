// The built library (dist/lib, with its vendored socket.io stack and rxjs) in Node, as a
// server-side integrator or a test suite would run the framework-free core: a PropertyStream of
// an interaction on the reference cluster, watched through the integrator's own rxjs operators
// (Node resolves `#rxjs` to the vendored copy, so these are another copy's: rxjs interoperates)
// until it names the chat instance, then disposed, after which the process must exit by itself
// (no socket or timer left).
// The vendored stack is engine.io's browser build with the WebSocket transport only, so it needs
// a WebSocket: Node 22 has one; Node 20 has it behind --experimental-websocket (the same
// implementation, undici's), which is what this test runs when Node has none by default.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, root } from './support.mjs';
import { startCluster } from './agent-page.mjs';

/** @type {Awaited<ReturnType<typeof startCluster>>} */
let cluster;

before(async () => {
  ensureBuilt();
  cluster = await startCluster(['--chat-instances', '2']);
});

after(async () => {
  await cluster?.stop();
});

const script = `
const [libUrl, interactionsUrl, interactionId] = process.argv.slice(1);
const { PropertyStream } = await import(libUrl);
// the integrator's rxjs (this repository's node_modules), not the library's vendored copy
const { Observable, filter, firstValueFrom, map } = await import('rxjs');
const stream = new PropertyStream({
  urls: [interactionsUrl],
  interactionId,
  auth: () => ({ token: 'node-token', agentId: 'node-agent' }),
});
const errors = [];
stream.errors$.subscribe((e) => errors.push(e));
const sameRxjs = stream.snapshot$ instanceof Observable;
const found = firstValueFrom(
  stream.snapshot$.pipe(
    map((s) => s.properties['chat.url']),
    filter((u) => typeof u === 'string'),
  ),
);
stream.start();
const url = await found;
stream.dispose();
console.log(JSON.stringify({ url, errors, sameRxjs }));
`;

/**
 * Runs the script in a fresh Node, with a WebSocket; resolves with its exit code and output.
 * @param {string[]} args
 */
function runNode(args) {
  const flags = typeof globalThis.WebSocket === 'function' ? [] : ['--experimental-websocket'];
  const child = spawn(
    process.execPath,
    [...flags, '--no-warnings', '--input-type=module', '-e', script, ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    // a process still alive after its work is done holds a socket or a timer: that is the failure
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after 30 s; stdout ${out} stderr ${err}`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

test("dist/lib in Node: the property stream, piped through the app's own rxjs, names the chat instance, and dispose lets the process exit", async () => {
  const { interactionId, instanceId } = await cluster.control('interactions/startChat', {});
  const lib = pathToFileURL(join(root, 'dist/lib/index.js')).href;
  const { code, out, err } = await runNode([lib, cluster.info.urls.interactions, interactionId]);
  assert.equal(code, 0, `exit code ${code}; stderr: ${err}`);
  const { url, errors, sameRxjs } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
  assert.equal(url, cluster.info.urls.chat[instanceId]);
  assert.deepEqual(errors, []);
  assert.equal(sameRxjs, false, "the library ran its vendored rxjs, the operators were the app's");
});
