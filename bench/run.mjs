// `npm run bench [-- --quick] [-- --only=storm,bundle-size]`
// Runs each benchmark in turn (never in parallel: this is a 2-core machine and they would skew
// each other), each under its own time budget, and writes bench/results/latest.{json,md} plus
// the SVG charts (a partial run, --only, writes them to bench/results/partial/ instead). A
// benchmark whose dependency has not landed reports "not measured: <why>"; one that breaks
// reports the error; neither fails the run. The exit code is 0 unless the harness itself
// breaks: results are reported, never asserted.
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createContext, NotMeasured } from './lib/harness.mjs';
import { writeResults } from './lib/report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const argv = process.argv.slice(2);
const usage = 'usage: npm run bench [-- --quick] [-- --only=<name>[,<name>...]]';
// An unknown argument (a typo, --help) stops here rather than starting a 10-minute run.
const unknown = argv.filter((a) => a !== '--quick' && !a.startsWith('--only='));
if (unknown.length > 0) {
  console.error(`${usage}\nunknown argument(s): ${unknown.join(' ')}`);
  process.exit(argv.some((a) => a === '--help' || a === '-h') ? 0 : 2);
}
const quick = argv.includes('--quick');
const only = argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');

// Order: the least UI-dependent first. Budgets (ms) keep the whole run under 10 minutes, except
// for a benchmark marked `own` (the 10-minute soak), which has its own budget outside that total.
/** @type {[id: string, fullBudgetMs: number, quickBudgetMs: number, own?: 'own'][]} */
const suite = [
  ['bundle-size', 60_000, 45_000],
  ['startup', 100_000, 60_000],
  ['storm', 150_000, 60_000],
  ['relocation', 220_000, 150_000],
  ['silent-failure', 100_000, 40_000],
  ['agent-network', 90_000, 60_000],
  ['consumer-build', 90_000, 60_000],
  ['transcript', 50_000, 30_000],
  ['memory', 80_000, 40_000],
  ['soak', 840_000, 240_000, 'own'],
];
const totalBudgetMs = 9.5 * 60_000;
const unknownNames = (only ?? []).filter((n) => !suite.some(([id]) => id === n));
if (unknownNames.length > 0) {
  console.error(
    `${usage}\nno benchmark named ${unknownNames.join(', ')}; there are: ${suite.map(([id]) => id).join(', ')}`,
  );
  process.exit(2);
}

function chromiumVersion() {
  try {
    return execFileSync(process.env.CHROME_PATH ?? '/usr/bin/chromium', ['--version'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .replace(/^Chromium\s*/, '');
  } catch {
    return null;
  }
}

// A benchmark abandoned at its time limit may still reject later (its page or cluster is gone):
// say so, but do not let it end the run.
process.on('unhandledRejection', (/** @type {any} */ e) =>
  console.warn('[bench] ignored late rejection:', e?.message ?? e),
);

const started = performance.now();
/** @type {Record<string, string>} */
const svgs = {};
const result = {
  generatedAt: new Date().toISOString(),
  quick,
  only: only ?? null,
  machine: {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
    memGb: Math.round(os.totalmem() / 2 ** 30),
    chromium: chromiumVersion(),
  },
  durationMs: 0,
  /** @type {Record<string, any>[]} */
  benchmarks: [],
};

let sharedMs = 0; // time spent by the benchmarks that share the 10-minute total
for (const [id, fullBudget, quickBudget, own] of suite) {
  const mod = await import(`./benchmarks/${id}.mjs`);
  /** @type {import('./lib/harness.mjs').Benchmark} */
  const bench = mod.default;
  /** @type {Record<string, any>} */
  const entry = {
    id,
    title: bench.title,
    status: 'measured',
    goals: [],
    tables: [],
    notes: [],
    charts: [],
  };
  result.benchmarks.push(entry);
  if (only && !only.includes(id)) {
    Object.assign(entry, {
      status: 'not-measured',
      reason: 'not selected (--only)',
      goals:
        bench.goals?.map((g) => ({ ...g, met: null, value: null, note: 'not selected' })) ?? [],
    });
    continue;
  }
  const remaining = own ? Infinity : totalBudgetMs - sharedMs;
  const budget = Math.min(quick ? quickBudget : fullBudget, remaining);
  const t0 = performance.now();
  const loadBefore = os.loadavg()[0] ?? NaN;
  const controller = new globalThis.AbortController();
  const ctx = createContext({ root, quick, signal: controller.signal, svgs, benchId: id });
  console.log(`\n[bench] ${id}: ${bench.title} (budget ${Math.round(budget / 1000)} s)`);
  let timer;
  try {
    if (budget < 5_000)
      throw new NotMeasured('the run ran out of its 10-minute budget before this benchmark');
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new NotMeasured(`exceeded its ${Math.round(budget / 1000)} s budget`));
      }, budget);
    });
    const running = bench.run(ctx);
    // after a timeout the abandoned run rejects as its browser/cluster is closed: not unhandled
    running.catch(() => {});
    const out = await Promise.race([running, timeout]);
    Object.assign(entry, out);
  } catch (e) {
    controller.abort();
    const reason =
      e instanceof NotMeasured
        ? e.message
        : `error: ${e?.stack?.split('\n').slice(0, 3).join(' ') ?? e}`;
    let partial = null;
    try {
      partial = typeof ctx.partial === 'function' ? ctx.partial() : null;
    } catch {
      /* nothing usable */
    }
    if (partial) {
      console.log(`[bench] ${id}: partly measured: ${reason}`);
      Object.assign(entry, partial, {
        status: 'partial',
        reason: `${reason}; what was measured before that is reported`,
      });
    } else {
      console.log(`[bench] ${id}: not measured: ${reason}`);
      Object.assign(entry, {
        status: 'not-measured',
        reason,
        // keep the goal rows so the summary shows what is missing
        goals: (entry.goals.length ? entry.goals : (bench.goals ?? [])).map((g) => ({
          ...g,
          value: null,
          met: null,
          note: reason,
        })),
      });
    }
  } finally {
    clearTimeout(timer);
    await ctx.cleanup();
    entry.durationMs = Math.round(performance.now() - t0);
    if (!own) sharedMs += entry.durationMs;
    // other work on the machine inflates latencies: say how busy it was
    entry.loadAvg = [
      Math.round(loadBefore * 100) / 100,
      Math.round((os.loadavg()[0] ?? NaN) * 100) / 100,
    ];
  }
  for (const g of entry.goals) {
    console.log(
      `[bench]   ${g.metric}: ${g.value ?? 'not measured'} ${g.value != null ? g.unit : ''} (goal ${g.goal}) ${g.met === true ? 'met' : g.met === false ? 'MISSED' : ''}`,
    );
  }
}

result.durationMs = Math.round(performance.now() - started);
// a partial run (--only) writes beside the full results (one folder per selection), never over them
const out = only ? `bench/results/partial/${[...only].sort().join('+')}` : 'bench/results';
writeResults(join(root, out), result, svgs);
console.log(
  `\n[bench] wrote ${out}/latest.md and latest.json in ${(result.durationMs / 1000).toFixed(1)} s`,
);
// Stray handles (a browser that refused to die, a socket) must not keep the run alive.
process.exit(0);
