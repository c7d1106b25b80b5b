// Saturates the CPUs to prove the suite holds under load (issue: "npm test passes with the
// machine saturated"). Bounded in time, always: it stops after --seconds even if forgotten.
//
//   node scripts/burn-cpu.mjs [--factor 2] [--seconds 1800] [-- <command> [args...]]
//
// Starts factor x CPU-count busy worker threads. With a command after `--`, it runs the command
// alongside, stops burning when the command ends and exits with the command's code, e.g.
//   node scripts/burn-cpu.mjs --factor 2 --seconds 3600 -- npm test
// Without one, it burns until --seconds pass or Ctrl-C. It prints the load average every 30 s.
import { Worker } from 'node:worker_threads';
import { spawn } from 'node:child_process';
import os from 'node:os';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const command = dash >= 0 ? argv.slice(dash + 1) : [];
const opt = (name, fallback) => {
  const i = own.indexOf(`--${name}`);
  const v = i >= 0 ? Number(own[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`[burn-cpu] --${name} wants a positive number`);
    process.exit(2);
  }
  return v;
};
const factor = opt('factor', 2);
// hard cap: a burner left running would starve everyone else on a shared machine
const seconds = Math.min(opt('seconds', 1800), 4 * 3600);
const cpus = os.availableParallelism?.() ?? os.cpus().length;
const count = Math.max(1, Math.round(factor * cpus));

const busy = `
  const { parentPort } = require('node:worker_threads');
  let stop = false;
  parentPort.on('message', () => { stop = true; });
  (function spin() {
    const until = Date.now() + 50;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    if (!stop) setImmediate(spin); else process.exit(0);
  })();
`;
const workers = Array.from({ length: count }, () => new Worker(busy, { eval: true }));
console.log(`[burn-cpu] ${count} busy threads (${factor} x ${cpus} CPUs) for at most ${seconds} s`);

const load = setInterval(
  () =>
    console.log(
      `[burn-cpu] load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    ),
  30_000,
);
/** @type {import('node:child_process').ChildProcess | undefined} */
let child;
let stopped = false;
async function stop(code) {
  if (stopped) return;
  stopped = true;
  clearInterval(load);
  clearTimeout(deadline);
  for (const w of workers) w.postMessage('stop');
  await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
  console.log(
    `[burn-cpu] stopped; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  process.exit(code);
}
const deadline = setTimeout(() => {
  console.log(`[burn-cpu] ${seconds} s are up`);
  child?.kill('SIGTERM');
  void stop(child ? 124 : 0);
}, seconds * 1000);
process.on('SIGINT', () => {
  child?.kill('SIGINT');
  void stop(130);
});
process.on('SIGTERM', () => {
  child?.kill('SIGTERM');
  void stop(143);
});

if (command.length > 0) {
  console.log(`[burn-cpu] running alongside: ${command.join(' ')}`);
  child = spawn(/** @type {string} */ (command[0]), command.slice(1), { stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    console.log(`[burn-cpu] ${command.join(' ')} exited with ${code ?? signal}`);
    void stop(code ?? 1);
  });
}
