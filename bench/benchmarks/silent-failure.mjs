// 2. Silent-failure detection: a chat instance of the reference cluster is SIGSTOPped
// (chat.freeze): its sockets stay open and nothing answers. Time until the panel says
// `reconnecting`, at default settings, vs a plain socket.io-client (which only notices when
// the server's pings stop: pingInterval + pingTimeout, 45 s with socket.io's defaults).
import { goal } from '../lib/harness.mjs';
import { browserSession, openBackendPage } from '../lib/pages.mjs';
import { ratio, round, summarize } from '../lib/stats.mjs';

const GOAL_MS = 2500;

export default {
  title: 'Silent-failure detection (SIGSTOP)',
  goals: [{ metric: 'time to `reconnecting` after SIGSTOP (p95)', goal: `<= ${GOAL_MS} ms` }],
  async run(ctx) {
    const samples = ctx.quick ? 3 : 12;
    const baselineCapMs = ctx.quick ? 8_000 : 15_000;
    const session = await browserSession(ctx);
    const { page, panelError } = await openBackendPage(ctx, session, 'cluster');
    if (panelError) ctx.notMeasured(panelError);
    const r = await page.evaluate((o) => /** @type {any} */ (window).agBench.silentFailure(o), {
      samples,
      baselineCapMs,
    });
    const st = summarize(r.ours);
    const b = r.baseline;
    const configured =
      b && Number.isFinite(b.pingInterval) && Number.isFinite(b.pingTimeout)
        ? b.pingInterval + b.pingTimeout
        : null;
    const measuredText = !b
      ? 'not measured'
      : b.detectedMs !== null
        ? `${Math.round(b.detectedMs)} (measured once)`
        : `>= ${b.capMs} (measured once, capped)`;
    // socket.io's server defaults: pingInterval 25 s, pingTimeout 20 s; a client notices a silent
    // server when no ping came for pingInterval + pingTimeout.
    const defaults = { pingInterval: 25_000, pingTimeout: 20_000 };
    const defaultMs = defaults.pingInterval + defaults.pingTimeout;
    return {
      status: r.failures.length ? 'partial' : 'measured',
      ...(r.failures.length ? { reason: r.failures.slice(0, 2).join('; ') } : {}),
      method:
        `The panel (default heartbeat settings: no \`heartbeat-ms\` attribute) is connected to one cluster instance, which is then ` +
        `SIGSTOPped through the control API (\`chat/freeze\`); t1 is the first moment its \`connectionState\` is \`reconnecting\`. ` +
        `${samples} samples, a fresh chat each, the instance SIGCONTed in between. The socket.io baseline (default reconnection, ` +
        `the server's ping settings) rides along in the first round, measured once with a cap of ${baselineCapMs / 1000} s; ` +
        `its expected detection time is also computed from the pingInterval + pingTimeout its handshake announced.`,
      goals: [
        goal({
          metric: 'time to `reconnecting` after SIGSTOP (p95)',
          value: st.n ? round(st.p95, 0) : null,
          op: '<=',
          target: GOAL_MS,
          unit: 'ms',
          note: st.n ? `median ${round(st.median, 0)} ms, n=${st.n}` : r.failures[0],
        }),
      ],
      tables: [
        {
          columns: ['client', 'n', 'median (ms)', 'p95 (ms)', 'max (ms)', 'ours (median) ÷ this'],
          rows: [
            [
              '<ag-chat-panel> (defaults)',
              st.n,
              round(st.median, 0),
              round(st.p95, 0),
              round(st.max, 0),
              '1.00',
            ],
            [
              `socket.io-client, the cluster's ping settings (pingInterval ${b?.pingInterval ?? '?'} + pingTimeout ${b?.pingTimeout ?? '?'} = ${configured ?? '?'} ms)`,
              b ? 1 : 0,
              measuredText,
              '—',
              '—',
              b?.detectedMs != null ? (ratio(st.median, b.detectedMs) ?? '—') : '—',
            ],
            [
              `socket.io-client, socket.io's defaults (computed: ${defaults.pingInterval} + ${defaults.pingTimeout}, not measured)`,
              0,
              defaultMs,
              '—',
              '—',
              ratio(st.median, defaultMs) ?? '—',
            ],
          ],
        },
      ],
      notes: [
        `The reference cluster runs socket.io with pingInterval/pingTimeout ${b?.pingInterval ?? '?'}/${b?.pingTimeout ?? '?'} ms, so the measured baseline is quicker than socket.io at its defaults; the defaults row is computed from socket.io's documented server defaults, not measured (it would take 45 s of the 10-minute budget).`,
        ...r.failures.map((f) => `failed sample: ${f}`),
      ],
      data: r,
    };
  },
};
