// Soak: false reconnects on a busy machine, and the detector's trade-off curve.
// 50 <ag-chat-panel>s at default settings sit on two chat instances of the reference cluster
// that are never frozen or killed, for 10 minutes (quick: 90 s), while a CPU burner keeps the
// machine at 2x its cores and the page churns garbage (so GC pauses are included). Every state
// change away from `connected` of one of them is a false reconnect. Beside them, per detector
// setting, bare connections (the core's ResilientConnection with that `heartbeat` option) sit
// on the same healthy instances (false reconnects) and on a third, victim instance that is
// SIGSTOPped in cycles (time until each leaves `connected`): detection p95 vs false reconnects
// per client-hour, measured side by side under the same load.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { goal, sleep } from '../lib/harness.mjs';
import { browserSession, openBackendPage } from '../lib/pages.mjs';
import { round, summarize } from '../lib/stats.mjs';

const DETECT_GOAL_MS = 2500;
const PANELS = 50;
const SETTINGS = [
  {
    name: 'fixed 1500/2500 (the previous default)',
    heartbeat: { intervalMs: 1500, timeoutMs: 2500, minTimeoutMs: 2500 },
  },
  {
    name: 'fixed 500/1000',
    heartbeat: { intervalMs: 500, timeoutMs: 1000, minTimeoutMs: 1000 },
  },
  {
    name: 'fixed 500/1500 (the default floor alone)',
    heartbeat: { intervalMs: 500, timeoutMs: 1500, minTimeoutMs: 1500 },
  },
  {
    name: 'adaptive, 750; floor 1000, k 4, ceiling 2500',
    heartbeat: { intervalMs: 750, minTimeoutMs: 1000 },
  },
  { name: 'adaptive, the default (500; floor 1500, k 4, ceiling 2500)', heartbeat: {} },
  {
    name: 'adaptive, tight (500; floor 250, k 2, ceiling 2500)',
    heartbeat: { minTimeoutMs: 250, deviations: 2 },
  },
];
const PANEL_GROUP = 'panels';

/** The burner (scripts/burn-cpu.mjs), bounded by its own --seconds and stopped by us. */
function startBurner(ctx, seconds) {
  const child = spawn(
    process.execPath,
    [join(ctx.root, 'scripts/burn-cpu.mjs'), '--factor', '2', '--seconds', String(seconds)],
    { cwd: ctx.root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((r) => child.once('exit', r));
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      if (String(d).includes('busy threads')) resolve(String(d).trim().split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`the CPU burner exited early (${code})`)));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  ctx.defer(stop);
  return { ready, stop };
}

function tradeoffSvg(points) {
  const W = 760,
    H = 400,
    L = 70,
    R = 30,
    T = 40,
    B = 60 + 18 * points.length;
  const pw = W - L - R,
    ph = H - T - B;
  const maxX = Math.max(1, ...points.map((p) => p.falsePerHour)) * 1.15;
  const maxY = Math.max(DETECT_GOAL_MS * 1.2, ...points.map((p) => p.p95)) * 1.1;
  const x = (v) => L + (v / maxX) * pw;
  const y = (v) => T + (1 - v / maxY) * ph;
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">Silent-failure detection vs false reconnects, CPU burner at 2x cores</text>`,
    `<line x1="${L}" y1="${T + ph}" x2="${L + pw}" y2="${T + ph}" stroke="#444"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${T + ph}" stroke="#444"/>`,
    `<line x1="${L}" y1="${y(DETECT_GOAL_MS)}" x2="${L + pw}" y2="${y(DETECT_GOAL_MS)}" stroke="#000" stroke-dasharray="6 4"/>`,
    `<text x="${L + pw - 4}" y="${y(DETECT_GOAL_MS) - 4}" text-anchor="end">goal p95 ≤ ${DETECT_GOAL_MS} ms</text>`,
    `<text x="${L + pw / 2}" y="${T + ph + 34}" text-anchor="middle">false reconnects per client-hour (healthy instances)</text>`,
    `<text transform="translate(18 ${T + ph / 2}) rotate(-90)" text-anchor="middle">SIGSTOP → left connected, p95 (ms)</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const vx = (maxX * i) / 4,
      vy = (maxY * i) / 4;
    out.push(
      `<text x="${x(vx)}" y="${T + ph + 16}" text-anchor="middle" fill="#444">${round(vx, 1)}</text>`,
      `<text x="${L - 6}" y="${y(vy) + 4}" text-anchor="end" fill="#444">${Math.round(vy)}</text>`,
      `<line x1="${L}" y1="${y(vy)}" x2="${L + pw}" y2="${y(vy)}" stroke="#eee"/>`,
    );
  }
  points.forEach((p, i) => {
    const c = colors[i % colors.length];
    if (Number.isFinite(p.p95))
      out.push(`<circle cx="${x(p.falsePerHour)}" cy="${y(p.p95)}" r="6" fill="${c}"/>`);
    const ly = T + ph + 56 + 18 * i;
    out.push(
      `<circle cx="${L + 6}" cy="${ly - 4}" r="5" fill="${c}"/>`,
      `<text x="${L + 18}" y="${ly}">${esc(`${p.name}: p95 ${Math.round(p.p95)} ms, ${round(p.falsePerHour, 2)} false/client-hour`)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

export default {
  title: 'Soak: false reconnects under a CPU burner, and the detector trade-off',
  goals: [
    { metric: 'false reconnects, 50 panels (defaults) under the burner', goal: '<= 0 reconnects' },
    {
      metric: 'SIGSTOP -> panel not `connected`, under the burner (p95, defaults)',
      goal: `<= ${DETECT_GOAL_MS} ms`,
    },
  ],
  async run(ctx) {
    const durationMs = ctx.quick ? 90_000 : 600_000;
    const watchers = ctx.quick ? 4 : 6;
    const probes = 2;
    const victimPanels = 2;
    const session = await browserSession(ctx);
    const { page, chatIds, panelError } = await openBackendPage(ctx, session, 'cluster');
    if (panelError) ctx.notMeasured(panelError);
    if (chatIds.length < 3) ctx.notMeasured('the cluster has fewer than 3 chat instances');
    const victim = chatIds[chatIds.length - 1];
    ctx.defer(() =>
      page.evaluate(() => /** @type {any} */ (window).agBench.soakStop()).catch(() => {}),
    );
    const setup = await page.evaluate((o) => /** @type {any} */ (window).agBench.soakSetup(o), {
      panels: PANELS,
      victimPanels,
      probes,
      watchers,
      settings: SETTINGS,
      victim,
      churn: 20_000,
    });
    ctx.log(`${setup.clients} clients connected; victim ${victim}`);

    const burner = startBurner(ctx, Math.ceil(durationMs / 1000) + 180);
    const burnerLine = await burner.ready;
    ctx.log(burnerLine);
    await page.evaluate(() => /** @type {any} */ (window).agBench.soakMark());
    const started = Date.now();
    const load = [];
    const loadTimer = setInterval(() => load.push(os.loadavg()[0]), 15_000);
    ctx.defer(() => clearInterval(loadTimer));

    const cycles = [];
    const failures = [];
    let report = null;
    const build = (status, reason) =>
      summarizeSoak({
        ctx,
        cycles,
        failures,
        report,
        load,
        setup,
        status,
        reason,
        watchers,
        probes,
        victimPanels,
        burnerLine,
      });
    ctx.partial = () => (report ? build('partial') : null);

    while (Date.now() - started < durationMs && !ctx.signal.aborted) {
      try {
        cycles.push(
          await page.evaluate((o) => /** @type {any} */ (window).agBench.soakFreezeCycle(o), {
            victim,
            capMs: 12_000,
            recoverMs: 30_000,
          }),
        );
      } catch (e) {
        failures.push(String(e?.message ?? e).split('\n')[0]);
        if (failures.length > 5 && cycles.length === 0) break;
      }
      report = await page.evaluate(() => /** @type {any} */ (window).agBench.soakReport());
      await sleep(3000);
    }
    report = await page.evaluate(() => /** @type {any} */ (window).agBench.soakReport());
    const loadEnd = os.loadavg()[0];
    await burner.stop();
    load.push(loadEnd);
    return build(
      failures.length ? 'partial' : 'measured',
      failures.length ? failures.slice(0, 2).join('; ') : undefined,
    );
  },
};

function summarizeSoak({
  ctx,
  cycles,
  failures,
  report,
  load,
  setup,
  status,
  reason,
  watchers,
  probes,
  victimPanels,
  burnerLine,
}) {
  const hours = report.countedMs / 3_600_000;
  const detection = (group) =>
    cycles.flatMap((c) => (c.detected[group] ?? []).filter((v) => v !== null));
  const missed = (group) =>
    cycles.reduce((n, c) => n + (c.detected[group] ?? []).filter((v) => v === null).length, 0);
  const rowFor = (name, group) => {
    const st = summarize(detection(group));
    const g = report.groups[group] ?? { clients: 0, episodes: 0, changes: 0 };
    const clientHours = g.clients * hours;
    return {
      name,
      st,
      missed: missed(group),
      g,
      clientHours,
      falsePerHour: clientHours > 0 ? g.episodes / clientHours : NaN,
      p95: st.p95,
    };
  };
  const panels = rowFor('<ag-chat-panel>, defaults', PANEL_GROUP);
  const settings = SETTINGS.map((s) => rowFor(s.name, s.name));
  const points = [...settings];
  if (ctx.svgs && points.some((p) => Number.isFinite(p.p95)))
    ctx.svgs['detector-tradeoff.svg'] = tradeoffSvg(points);
  const stalls = report.stalls;
  const over = (xs, ms) => xs.filter((v) => v > ms).length;
  const loadSt = summarize(load);
  const minutes = round(report.countedMs / 60_000, 1);
  return {
    status,
    ...(reason ? { reason } : {}),
    method:
      `Reference cluster, 3 chat instances. ${PANELS} \`<ag-chat-panel>\`s (default heartbeat: no \`heartbeat-ms\`) on the two ` +
      `instances that are never frozen or killed; ${victimPanels} more panels and, per detector setting, ${probes} bare ` +
      `connections (ResilientConnection with that \`heartbeat\` option, as a panel's chat socket) on the third (victim) ` +
      `instance, and ${watchers} bare connections per setting on the healthy two. Then ${burnerLine.replace(/^\[burn-cpu\] /, '')} ` +
      `(scripts/burn-cpu.mjs, spawned by the benchmark and stopped at its end) and, in the page, 20,000 fresh objects ` +
      `every 100 ms, 30 batches kept (about 60 MB churned through the old generation): GC pauses included. ` +
      `Counting starts once the burner runs and lasts ${minutes} min. A false reconnect is a client on a healthy instance ` +
      `leaving \`connected\` (each episode counted once; every state change is in the data). In cycles, the victim is ` +
      `SIGSTOPped (\`chat/freeze\`); t0 is just before the control call; detection = the first moment each victim client is ` +
      `not \`connected\` (cap 12 s, then counted as missed); then SIGCONT and a wait until all are back, 3 s apart.`,
    goals: [
      goal({
        metric: 'false reconnects, 50 panels (defaults) under the burner',
        value: report.groups[PANEL_GROUP]?.episodes ?? null,
        op: '<=',
        target: 0,
        unit: 'reconnects',
        note: `${panels.g.clients} panels × ${minutes} min = ${round(panels.clientHours, 2)} panel-hours; ${panels.g.changes} state changes`,
      }),
      goal({
        metric: 'SIGSTOP -> panel not `connected`, under the burner (p95, defaults)',
        value: panels.st.n ? round(panels.st.p95, 0) : null,
        op: '<=',
        target: DETECT_GOAL_MS,
        unit: 'ms',
        note: panels.st.n
          ? `median ${round(panels.st.median, 0)} ms, n=${panels.st.n}, missed ${panels.missed}`
          : 'no samples',
      }),
    ],
    tables: [
      {
        title: 'Trade-off: detection vs false reconnects, same load, side by side',
        columns: [
          'client / detector setting',
          'detection n',
          'median (ms)',
          'p95 (ms)',
          'max (ms)',
          'missed (> 12 s)',
          'healthy clients',
          'false reconnects',
          'per client-hour',
        ],
        rows: [panels, ...settings].map((r) => [
          r.name,
          r.st.n,
          round(r.st.median, 0),
          round(r.st.p95, 0),
          round(r.st.max, 0),
          r.missed,
          r.g.clients,
          r.g.episodes,
          round(r.falsePerHour, 2),
        ]),
      },
      {
        title:
          "The page's own stalls (timer lateness over 50 ms, long tasks): GC pauses among them",
        columns: ['measure', 'count', '> 100 ms', '> 250 ms', '> 500 ms', '> 1000 ms', 'max (ms)'],
        rows: [
          [
            '50 ms ticks late by > 50 ms',
            stalls.length,
            over(stalls, 100),
            over(stalls, 250),
            over(stalls, 500),
            over(stalls, 1000),
            stalls.length ? Math.max(...stalls) : 0,
          ],
          [
            'long tasks (> 50 ms)',
            report.longTasks.length,
            over(report.longTasks, 100),
            over(report.longTasks, 250),
            over(report.longTasks, 500),
            over(report.longTasks, 1000),
            report.longTasks.length ? Math.max(...report.longTasks) : 0,
          ],
        ],
      },
    ],
    charts: ctx.svgs?.['detector-tradeoff.svg']
      ? [
          {
            file: 'detector-tradeoff.svg',
            alt: 'Detection p95 vs false reconnects per client-hour, per detector setting',
          },
        ]
      : [],
    notes: [
      `1-minute load average during the soak: median ${round(loadSt.median, 1)}, max ${round(loadSt.max, 1)} (${os.cpus().length} CPUs); JS heap at the end ${report.heapMb ?? '?'} MB.`,
      `${cycles.length} freeze cycles${cycles.some((c) => !c.recovered) ? `, ${cycles.filter((c) => !c.recovered).length} of which not fully recovered within 30 s` : ''}; the freeze control call took median ${round(summarize(cycles.map((c) => c.freezeCallMs)).median, 0)} ms (inside the detection figures).`,
      ...Object.entries(report.groups)
        .filter(([, g]) => g.episodes > 0)
        .map(([name, g]) => `false reconnects of ${name}: ${JSON.stringify(g.examples)}`),
      `The page's stalls over 250 ms (s after counting began: ms): ${report.bigStalls.map((x) => `${x.atS}: ${x.ms}`).join(', ') || 'none'}.`,
      ...failures.map((f) => `failed cycle: ${f}`),
    ],
    data: { cycles, report, load, setup },
  };
}
