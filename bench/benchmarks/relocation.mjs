// 1. Relocation latency in Chromium: time until <ag-chat-panel> is `connected` on the new
// instance with the transcript complete and a message queued during the move acked, against
// the mock and the reference cluster, timed from the property update (a planned relocation)
// and from the SIGKILL (kill verb). Baseline in the same run: plain socket.io-client.
import { goal } from '../lib/harness.mjs';
import { browserSession, openBackendPage } from '../lib/pages.mjs';
import { renderCdfSvg } from '../lib/report.mjs';
import { ratio, round, summarize } from '../lib/stats.mjs';

const GOAL_MS = 50;

export default {
  title: 'Relocation latency (Chromium)',
  goals: [
    { metric: 'p95 from the property update (loopback)', goal: `<= ${GOAL_MS} ms` },
    { metric: 'kill -> restored, one session, median ÷ plain socket.io', goal: '<= 1 ×' },
  ],
  async run(ctx) {
    const samples = ctx.quick ? 15 : 50;
    // one kill and revive per sample: dearer, so fewer
    const singleSamples = ctx.quick ? 6 : 20;
    const opts = (perRound) => ({ samples, perRound, seedMessages: 3 });
    const session = await browserSession(ctx);
    const series = []; // { backend, mode, client, samples, fromProperty, failures }
    const skipped = [];
    // if the time budget runs out, the series measured so far are still reported
    ctx.partial = () =>
      series.length ? { ...report(ctx, series, skipped), status: 'partial' } : null;
    for (const kind of ['mock', 'cluster']) {
      let page, panelError;
      try {
        ({ page, panelError } = await openBackendPage(ctx, session, kind));
      } catch (e) {
        skipped.push(`${kind}: ${e.message}`);
        continue;
      }
      // 'kill-single': one session per kill, ours and the baseline alike (the restore spread
      // design is about this case: a lone restore should cost nothing). It goes first: on a
      // busy machine the time budget may end the series before the last one.
      for (const mode of ['kill-single', 'property', 'kill']) {
        for (const client of ['ours', 'socket.io']) {
          ctx.checkAborted();
          if (client === 'ours' && panelError) {
            series.push({ backend: kind, mode, client, samples: [], failures: [panelError] });
            continue;
          }
          ctx.log(
            `${kind} / ${mode} / ${client}: ${mode === 'kill-single' ? singleSamples : samples} samples`,
          );
          try {
            const r = await page.evaluate(
              ([fn, o]) => /** @type {any} */ (window).agBench[fn](o),
              /** @type {[string, unknown]} */ (
                mode === 'kill-single'
                  ? [
                      client === 'ours' ? 'relocationOurs' : 'relocationBaseline',
                      { mode: 'kill', ...opts(1), samples: singleSamples },
                    ]
                  : client === 'ours'
                    ? ['relocationOurs', { mode, ...opts(5) }]
                    : ['relocationBaseline', { mode, ...opts(10) }]
              ),
            );
            series.push({ backend: kind, mode, client, ...r });
          } catch (e) {
            series.push({
              backend: kind,
              mode,
              client,
              samples: [],
              failures: [e.message.split('\n')[0]],
            });
          }
        }
      }
      await page.context().close();
    }
    if (series.length === 0) ctx.notMeasured(skipped.join('; '));
    return report(ctx, series, skipped);
  },
};

function report(ctx, series, skipped) {
  const find = (backend, mode, client) =>
    series.find((x) => x.backend === backend && x.mode === mode && x.client === client);
  // The headline figure of each trigger: from the property update as the client sees it (the
  // `properties` frame reaching the page), and from the kill request.
  const primary = (x) => (x ? (x.mode === 'property' ? (x.fromProperty ?? []) : x.samples) : []);
  const rows = [];
  for (const x of series) {
    const fromTrigger = summarize(x.samples);
    const fromProp = summarize(x.fromProperty ?? []);
    const st = summarize(primary(x));
    const base =
      x.client === 'ours' ? summarize(primary(find(x.backend, x.mode, 'socket.io'))) : null;
    rows.push([
      x.backend,
      (x.mode === 'property'
        ? 'property update'
        : x.backend === 'cluster'
          ? 'SIGKILL'
          : 'kill verb') + (x.mode === 'kill-single' ? ', one session' : ''),
      x.client === 'ours' ? '<ag-chat-panel>' : 'socket.io-client defaults',
      `${fromTrigger.n}${x.failures.length ? ` (+${x.failures.length} failed)` : ''}`,
      round(fromTrigger.median),
      round(fromTrigger.p95),
      round(fromProp.median),
      round(fromProp.p95),
      base ? (ratio(st.median, base.median) ?? '—') : '',
      base ? (ratio(st.p95, base.p95) ?? '—') : '',
    ]);
  }
  // which kind of frame started the from-property figure of each sample ("none": it has none)
  const frameKinds = (x) => {
    /** @type {Record<string, number>} */
    const counts = {};
    for (const k of x?.fromPropertyFrame ?? []) counts[k] = (counts[k] ?? 0) + 1;
    return Object.entries(counts)
      .map(([k, n]) => `${n} ${k === 'none' ? 'without a frame' : k}`)
      .join(', ');
  };
  const goals = [];
  for (const kind of ['mock', 'cluster']) {
    const x = find(kind, 'property', 'ours');
    const st = summarize(primary(x));
    const req = summarize(x?.samples ?? []);
    const kinds = frameKinds(x);
    goals.push(
      goal({
        metric: `p95 from the property update, ${kind === 'mock' ? 'mock' : 'reference cluster'}`,
        value: st.n ? round(st.p95) : null,
        op: '<=',
        target: GOAL_MS,
        unit: 'ms',
        note: st.n
          ? `median ${round(st.median)} ms, n=${st.n}${kinds ? ` (${kinds})` : ''}; from the relocation request: p95 ${round(req.p95)} ms`
          : (x?.failures[0] ?? skipped.find((k) => k.startsWith(kind)) ?? 'no samples'),
      }),
    );
  }
  for (const kind of ['mock', 'cluster']) {
    const ours = summarize(primary(find(kind, 'kill-single', 'ours')));
    const base = summarize(primary(find(kind, 'kill-single', 'socket.io')));
    goals.push(
      goal({
        metric: `kill -> restored, one session, median ÷ plain socket.io, ${kind === 'mock' ? 'mock' : 'reference cluster'}`,
        value: ratio(ours.median, base.median),
        op: '<=',
        target: 1,
        unit: '×',
        note:
          ours.n && base.n
            ? `ours median ${round(ours.median)} ms (n=${ours.n}), socket.io ${round(base.median)} ms (n=${base.n})`
            : 'no samples',
      }),
    );
  }
  const chartSeries = series
    .filter((x) => primary(x).some(Number.isFinite))
    .map((x) => ({
      label: `${x.client === 'ours' ? 'ours' : 'socket.io'} · ${x.backend} · ${x.mode === 'property' ? 'from property update' : x.mode === 'kill' ? 'from kill' : 'from kill, one session'}`,
      samples: primary(x),
      dashed: x.client !== 'ours',
    }));
  if (chartSeries.length) {
    ctx.svgs['relocation.svg'] = renderCdfSvg(chartSeries, {
      title: 'Relocation latency: connected + transcript complete + queued message acked',
      goalMs: GOAL_MS,
    });
  }
  const failures = series.flatMap((s) =>
    s.failures.slice(0, 2).map((f) => `${s.backend}/${s.mode}/${s.client}: ${f}`),
  );
  return {
    status: skipped.length || failures.length ? 'partial' : 'measured',
    ...(skipped.length ? { reason: `skipped: ${skipped.join('; ')}` } : {}),
    method:
      'Each sample: t0 just before the relocation is triggered (mock `chat.relocate(interactionId, to)` / cluster control `chat/relocate`, ' +
      'or `chat.kill` = SIGKILL on the cluster), a message is sent through the panel right after (so it is queued during the move), ' +
      'and t1 when the panel is `connected` with `endpoint` = the new instance, every transcript message present and the queued ' +
      'message acked (has its server seq), after the render (`updateComplete`). ' +
      '"From property frame" starts instead when the first interaction-server frame naming the new `chat.url` (and instance) reaches ' +
      'the page (timestamped by a WebSocket wrapper): that is "from the property update" as the client sees it, without the ' +
      'back end\'s own work of moving the session (control call, adopt, publish), which "from trigger" includes. ' +
      'That frame is the pushed `properties` delta, or the answer to a `watch` the panel sent: on a `relocated` notice from ' +
      'the old instance the panel re-reads the properties at once, and on the cluster that notice often arrives before ' +
      "the interaction server's delta push (every 20 ms), which then skips the version the answer already carried. " +
      'The goal notes say how many samples each kind of frame started. ' +
      'Ratios compare the headline figure of each trigger (property frame for property updates, trigger for kills) with the ' +
      "baseline's same figure. " +
      '"From the kill" includes the back end\'s own restore delay (mock default 300 ms) before the new location is published. ' +
      'The panel tries the restored session at once; only if the survivor refuses or is slow does it wait a random ' +
      "[0, restore-spread-ms) (see the storm benchmark). The baseline has socket.io's reconnection delay (1 s ± 50 %) instead. " +
      'Property updates: one panel moved back and forth; kills: rounds of 5 fresh panels (baseline: 10 clients) on the victim ' +
      'instance; "one session": one panel or one baseline client per kill, the case a lone agent sees. ' +
      'Baseline: plain socket.io-client (bench/pages/baseline-client.ts) with default reconnection, pointed at the new URL when ' +
      "the property changes, 10 clients per round in parallel (its latency is bound by socket.io's 1 s ± 50 % reconnection delay). " +
      'Ratios are ours / baseline.',
    goals,
    tables: [
      {
        columns: [
          'back end',
          'trigger',
          'client',
          'n',
          'from trigger: median (ms)',
          'from trigger: p95 (ms)',
          'from property frame: median (ms)',
          'from property frame: p95 (ms)',
          'median ÷ baseline',
          'p95 ÷ baseline',
        ],
        rows,
      },
    ],
    charts: chartSeries.length
      ? [{ file: 'relocation.svg', alt: 'Relocation latency distribution (CDF, log scale)' }]
      : [],
    notes: [...skipped.map((s) => `not measured: ${s}`), ...failures],
    data: { series },
  };
}
