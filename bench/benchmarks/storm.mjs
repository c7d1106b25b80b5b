// 5. Reconnect storm: N chat sessions (the core client, in this Node process) on one reference
// cluster instance that is SIGKILLed. Time until every session is connected elsewhere, and the
// peak of new connections per 100 ms at the surviving instances, with the core's default jitter
// (backoff jitter 0.5 and the restore spread) vs none (jitter 0, restoreSpreadMs 0). A fresh
// cluster per variant, so the two runs do not share state.
import { performance } from 'node:perf_hooks';
import { rmSync } from 'node:fs';
import os from 'node:os';
import { goal, sleep, waitFor } from '../lib/harness.mjs';
import { startCluster } from '../lib/cluster.mjs';
import { importTs } from '../lib/esbuild-node.mjs';
import { percentile, ratio, round, summarize } from '../lib/stats.mjs';

const BIN_MS = 100;
/** sessions already on the survivors, watched for harm during the storm */
const BYSTANDERS = 10;

/**
 * @template T, R
 * @param {T[]} items @param {number} concurrency @param {(item: T, i: number) => Promise<R>} fn
 * @returns {Promise<R[]>}
 */
async function pool(items, concurrency, fn) {
  /** @type {R[]} */
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(/** @type {T} */ (items[i]), i);
      }
    }),
  );
  return out;
}

/** @param {number[]} timestamps @param {number} t0 */
function peakPerBin(timestamps, t0) {
  /** @type {Map<number, number>} */
  const bins = new Map();
  for (const t of timestamps) {
    if (t < t0) continue;
    const b = Math.floor((t - t0) / BIN_MS);
    bins.set(b, (bins.get(b) ?? 0) + 1);
  }
  let peak = 0,
    at = 0;
  for (const [b, n] of bins) if (n > peak) [peak, at] = [n, b * BIN_MS];
  return { peak, atMs: at, bins: [...bins.entries()].sort((a, b) => a[0] - b[0]) };
}

/** @typedef {import('../lib/harness.mjs').BenchContext} BenchContext */
/** @typedef {typeof import('../node/storm-client.ts')} StormClient */
/** @typedef {Awaited<ReturnType<typeof runVariant>>} Variant */

/**
 * @param {BenchContext} ctx @param {StormClient} client
 * @param {{ sessions: number, jitter: number, restoreSpreadMs?: number }} variant
 */
async function runVariant(ctx, client, { sessions, jitter, restoreSpreadMs }) {
  const cluster = await startCluster(ctx.root);
  ctx.defer(() => cluster.stop());
  const { urls } = cluster.info;
  const chatIds = Object.keys(urls.chat);
  if (chatIds.length < 2) ctx.notMeasured('the cluster has fewer than two chat instances');
  const victim = /** @type {string} */ (chatIds[0]);
  const survivors = chatIds.filter((id) => id !== victim);
  const allowedOrigins = [...new Set(Object.values(urls.chat).map((u) => new URL(u).origin))];
  ctx.log(`jitter ${jitter}: starting ${sessions} chats on ${victim}`);
  const chats = await pool(
    Array.from({ length: sessions }, (_, i) => i),
    32,
    async (i) => {
      ctx.checkAborted();
      return cluster.control('interactions', 'startChat', {
        customerName: `storm-${i}`,
        instanceId: victim,
      });
    },
  );
  const onVictim = chats.filter((c) => c.instanceId === victim).length;

  /** @type {{ endpoint: string | undefined, connected: boolean, connectedAt: number, attemptAt: number, triedAfterKill: [number, string][] }[]} */
  const state = chats.map(() => ({
    endpoint: undefined,
    connected: false,
    connectedAt: NaN,
    // the session's latest socket attempt, and the URLs it tried after the kill
    attemptAt: NaN,
    triedAfterKill: [],
  }));
  /** @type {[number, string][]} */
  const attempts = []; // [t, url]
  let t0 = Infinity;
  /** @type {import('../node/storm-client.ts').StormSession[]} */
  const live = [];
  ctx.defer(() => live.forEach((s) => s.dispose()));
  /** What every storm session (and bystander) is started with, for one chat. */
  const sessionOf = (/** @type {{ interactionId: string, sessionId: string }} */ c) => ({
    interactionsUrl: urls.interactions,
    interactionId: c.interactionId,
    sessionId: c.sessionId,
    allowedOrigins,
    jitter,
    restoreSpreadMs,
  });
  // Bring the sessions up in batches: the storm we measure is the one after the kill, not ours.
  for (const [i, c] of chats.entries()) {
    const st = /** @type {(typeof state)[number]} */ (state[i]);
    live.push(
      client.startStormSession({
        ...sessionOf(c),
        onAttempt: (url) => {
          const t = performance.now();
          attempts.push([t, url]);
          st.attemptAt = t;
          if (t >= t0) st.triedAfterKill.push([t, url]);
        },
        onStatus: (s) => {
          st.connected = s.state === 'connected';
          st.endpoint = s.endpoint;
          if (
            st.connected &&
            performance.now() >= t0 &&
            s.endpoint !== victim &&
            Number.isNaN(st.connectedAt)
          )
            st.connectedAt = performance.now();
        },
      }),
    );
    if (i % 100 === 99) {
      ctx.checkAborted();
      await sleep(50);
    }
  }
  // Bystanders: a few sessions already on the survivors, as other agents' chats are. One that
  // leaves `connected` during the storm (its heartbeat missed, its socket dropped) was harmed.
  const bystanders = await Promise.all(
    Array.from({ length: BYSTANDERS }, async (_, i) => {
      const c = await cluster.control('interactions', 'startChat', {
        customerName: `bystander-${i}`,
        instanceId: survivors[i % survivors.length],
      });
      const b = { connected: false, lostAfterKill: 0 };
      live.push(
        client.startStormSession({
          ...sessionOf(c),
          onStatus: (st) => {
            const was = b.connected;
            b.connected = st.state === 'connected';
            if (was && !b.connected && performance.now() >= t0) b.lostAfterKill++;
          },
        }),
      );
      return b;
    }),
  );
  const upMs = ctx.quick ? 20_000 : 45_000;
  try {
    await waitFor(() => state.every((s) => s.connected) && bystanders.every((b) => b.connected), {
      timeoutMs: upMs,
      everyMs: 50,
      what: 'sessions up',
    });
  } catch {
    // On a saturated machine a few of 1,000 sessions in one process miss a heartbeat and are
    // reconnecting at any moment: the storm is still measured (every session must be back after
    // the kill, those too), unless too many never came up.
    const n = state.filter((s) => s.connected).length;
    if (n < sessions * 0.95)
      ctx.notMeasured(
        `only ${n} of ${sessions} sessions were connected ${upMs / 1000} s after they were started (before any kill; 1-min load average ${(os.loadavg()[0] ?? NaN).toFixed(1)} on ${os.cpus().length} CPUs)`,
      );
  }
  await sleep(300); // let the join acks and heartbeats settle
  const upAtKill = state.filter((s) => s.connected).length;
  const bystandersUp = bystanders.filter((b) => b.connected).length;
  ctx.log(`jitter ${jitter}: ${upAtKill} of ${sessions} connected; SIGKILL ${victim}`);
  // the survivors' event-loop delay is read over the storm: a new window starts now
  const loopStats = (reset = false) =>
    Promise.all(
      survivors.map((id) =>
        cluster.control('chat', 'stats', { id, reset }).then(
          (r) => ({ id, connections: r.connections, ...r.eventLoop }),
          (e) => ({ id, error: String(e?.message ?? e) }),
        ),
      ),
    );
  await loopStats(true);
  t0 = performance.now();
  await cluster.control('chat', 'kill', { id: victim });
  const capMs = 15_000;
  try {
    await waitFor(() => state.every((s) => !Number.isNaN(s.connectedAt)), {
      timeoutMs: capMs,
      everyMs: 10,
      what: 'every session connected elsewhere',
    });
  } catch {
    /* reported as a count below */
  }
  const loop = await loopStats();
  const loopOk = loop.filter((l) => typeof l.p99Ms === 'number');
  const latencies = state.map((s) => s.connectedAt - t0);
  const done = latencies.filter((x) => Number.isFinite(x));
  // the core connects to an endpoint's origin, so attempts are matched by origin
  const survivorOrigins = new Set(
    chatIds.filter((id) => id !== victim).map((id) => new URL(urls.chat[id]).origin),
  );
  // when each session first tried a survivor (the move itself: property update + our wait)
  const firstAtSurvivor = state
    .map((s) => s.triedAfterKill.find(([, u]) => survivorOrigins.has(new URL(u).origin))?.[0])
    .filter((t) => t !== undefined)
    .map((t) => t - t0);
  const survivorAttempts = attempts
    .filter(([t, url]) => t >= t0 && survivorOrigins.has(new URL(url).origin))
    .map(([t]) => t);
  const connects = state.map((s) => s.connectedAt).filter((t) => Number.isFinite(t));
  // how long the survivors took to accept a session (socket attempt -> join acked, client side):
  // the harm a crowd does to them shows here, not only in the peak
  const handshakes = state
    .map((s) => s.connectedAt - s.attemptAt)
    .filter((x) => Number.isFinite(x) && x >= 0);
  const result = {
    sessions,
    onVictim,
    jitter,
    restoreSpreadMs: restoreSpreadMs ?? client.restoreSpreadDefaultMs,
    reconnected: done.length,
    allWithinMs: done.length === sessions ? Math.max(...done) : null,
    latency: summarize(done),
    connectsPeak: peakPerBin(connects, t0),
    attemptsPeak: peakPerBin(survivorAttempts, t0),
    attemptsTotal: survivorAttempts.length,
    handshake: { ...summarize(handshakes), p99: percentile(handshakes, 99) },
    firstAtSurvivor: summarize(firstAtSurvivor),
    // worst survivor, from the kill until every session was back (or the cap)
    eventLoop: loopOk.length
      ? {
          p99Ms: Math.max(...loopOk.map((l) => l.p99Ms)),
          maxMs: Math.max(...loopOk.map((l) => l.maxMs)),
          windowMs: Math.round(performance.now() - t0),
          byInstance: loop,
        }
      : { p99Ms: null, maxMs: null, error: loop[0]?.error ?? 'no survivor answered' },
    // (a bystander that was not connected at the kill cannot show harm: counted out)
    bystanders: { n: bystandersUp, lost: bystanders.filter((b) => b.lostAfterKill > 0).length },
    upAtKill,
    // sessions the survivors did not take at the first attempt (refused, failed or given up)
    retried: state.filter(
      (s) => s.triedAfterKill.filter(([, u]) => survivorOrigins.has(new URL(u).origin)).length > 1,
    ).length,
  };
  for (const s of live.splice(0)) s.dispose();
  await cluster.stop();
  return result;
}

export default {
  title: 'Reconnect storm (SIGKILL of one chat instance)',
  goals: [
    { metric: 'all sessions connected elsewhere', goal: '<= 5,000 ms' },
    { metric: 'survivor unharmed: its sessions that left `connected`', goal: '<= 0 sessions' },
    { metric: 'survivor event-loop delay during the storm, max', goal: '<= the heartbeat timeout' },
  ],
  /** @param {BenchContext} ctx */
  async run(ctx) {
    ctx.requireFiles(
      'cluster/main.mjs',
      'src/core/connection.ts',
      'src/core/property-stream.ts',
      'src/core/endpoints.ts',
    );
    const sessions = ctx.quick ? 200 : 1000;
    const { module: client, outfile } = await importTs(ctx.root, 'bench/node/storm-client.ts');
    ctx.defer(() => rmSync(outfile, { force: true }));
    // The no-jitter peak is bound by how fast the survivor accepts connections, which moves with
    // the machine's load, so one pair of runs is a noisy ratio. Rounds alternate the variants
    // side by side; the goal takes the median round's ratio and the slowest round's recovery.
    const rounds = ctx.quick ? 1 : 3;
    /** @type {{ ours: Variant, flat: Variant, peakRatio: number | null }[]} */
    const pairs = [];
    // what the rounds measured so far (all of them, or those done before the time budget ran out)
    const report = () => {
      const done = pairs.length;
      const byRatio = [...pairs].sort(
        (a, b) => (a.peakRatio ?? Infinity) - (b.peakRatio ?? Infinity),
      );
      const { ours, flat, peakRatio } = /** @type {(typeof pairs)[number]} */ (
        byRatio[Math.floor((byRatio.length - 1) / 2)]
      );
      const slowest = pairs.some((p) => p.ours.allWithinMs === null)
        ? null
        : Math.max(...pairs.map((p) => /** @type {number} */ (p.ours.allWithinMs)));
      // the survivors, jitter on, worst round: event-loop delay and bystanders that lost their session
      const loops = pairs.map((p) => p.ours.eventLoop);
      const loopMax = loops.some((l) => l.maxMs === null)
        ? null
        : Math.max(...loops.map((l) => /** @type {number} */ (l.maxMs)));
      const loopP99 = Math.max(...loops.map((l) => l.p99Ms ?? NaN));
      const harmed = pairs.reduce((n, p) => n + p.ours.bystanders.lost, 0);
      const hbTimeoutMs = client.heartbeatDefaults.timeoutMs;
      /** @param {string} name @param {Variant} r */
      const row = (name, r) => [
        name,
        `${r.reconnected} / ${r.sessions}`,
        r.allWithinMs === null ? `not all (cap 15 s)` : `${Math.round(r.allWithinMs)} ms`,
        `${Math.round(r.latency.median)} ms`,
        `${Math.round(r.latency.p95)} ms`,
        `${r.connectsPeak.peak} (at +${r.connectsPeak.atMs} ms)`,
        `${r.attemptsPeak.peak} (${r.attemptsTotal} in all)`,
        `${Math.round(r.handshake.p95)} / ${Math.round(r.handshake.p99)} ms`,
        r.eventLoop.maxMs === null
          ? `— (${r.eventLoop.error})`
          : `${r.eventLoop.p99Ms} / ${r.eventLoop.maxMs} ms`,
        `${r.bystanders.lost} of ${r.bystanders.n}`,
        `${r.retried}`,
      ];
      /** @param {Variant} r */
      const histo = (r) => r.connectsPeak.bins.map(([b, n]) => `${b * BIN_MS}:${n}`).join(' ');
      return {
        method:
          `${sessions} chat sessions, each a PropertyStream + ResilientConnection (the core, bundled for Node with esbuild) ` +
          `joined to one instance of the reference cluster, which is then SIGKILLed through the control API. ` +
          `Time is from the kill request to each session being \`connected\` on another instance (join acked). ` +
          `"Peak" counts sessions that completed their connect in each ${BIN_MS} ms bin (client-side timestamps); ` +
          `socket attempts at the surviving instances are counted by wrapping the socket factory. ` +
          `${done} round${done > 1 ? 's' : ''}, each running both variants one after the other; the table shows the round with the median peak ratio.`,
        goals: [
          goal({
            metric: 'all sessions connected elsewhere (jitter on)',
            value: slowest === null ? null : round(slowest, 0),
            op: '<=',
            target: 5000,
            unit: 'ms',
            note:
              slowest === null
                ? `not all within 15 s in every round (${pairs.map((p) => p.ours.reconnected).join(', ')} of ${sessions})`
                : done > 1
                  ? `slowest of ${done} rounds`
                  : undefined,
          }),
          goal({
            metric: 'survivor unharmed: its sessions that left `connected` during the storm',
            value: harmed,
            op: '<=',
            target: 0,
            unit: 'sessions',
            note: `${BYSTANDERS} bystander sessions on the survivors per round, ${done} round${done > 1 ? 's' : ''}`,
          }),
          goal({
            metric: 'survivor event-loop delay during the storm, max (worst survivor and round)',
            value: loopMax,
            op: '<=',
            target: hbTimeoutMs,
            unit: 'ms',
            note:
              loopMax === null
                ? (loops.find((l) => l.error)?.error ?? 'not reported')
                : `the heartbeat timeout (a longer stall fails the sessions on it); p99 ${loopP99} ms; survivors' attempt -> joined p99 ${Math.round(Math.max(...pairs.map((p) => p.ours.handshake.p99)))} ms; peak connects vs no jitter ${peakRatio === null ? '—' : `${Math.round(peakRatio * 100)} %`} (median round)`,
          }),
        ],
        tables: [
          {
            columns: [
              'Variant',
              'reconnected',
              'all within',
              'median',
              'p95',
              `peak connects / ${BIN_MS} ms`,
              `peak attempts at survivors / ${BIN_MS} ms`,
              'attempt -> joined p95 / p99 (survivor latency)',
              'survivor event-loop delay p99 / max',
              'bystanders harmed',
              'sessions with > 1 attempt at survivors',
            ],
            rows: [
              row(`ours (backoff jitter 0.5, restore spread ${ours.restoreSpreadMs} ms)`, ours),
              row('no jitter (jitter 0, restore spread 0)', flat),
              [
                'ratio ours / no jitter',
                '',
                ratio(ours.allWithinMs, flat.allWithinMs) ?? '—',
                ratio(ours.latency.median, flat.latency.median) ?? '—',
                ratio(ours.latency.p95, flat.latency.p95) ?? '—',
                peakRatio ?? '—',
                ratio(ours.attemptsPeak.peak, flat.attemptsPeak.peak) ?? '—',
                ratio(ours.handshake.p99, flat.handshake.p99) ?? '—',
                ratio(ours.eventLoop.maxMs ?? NaN, flat.eventLoop.maxMs ?? NaN) ?? '—',
                '',
                '',
              ],
            ],
          },
        ],
        notes: [
          `Connects per ${BIN_MS} ms bin after the kill (ms:count), jitter on: ${histo(ours) || '—'}`,
          `Same, jitter 0: ${histo(flat) || '—'}`,
          `First attempt at a survivor after the kill (median / max): ours ${Math.round(ours.firstAtSurvivor.median)} / ${Math.round(ours.firstAtSurvivor.max)} ms, no jitter ${Math.round(flat.firstAtSurvivor.median)} / ${Math.round(flat.firstAtSurvivor.max)} ms (the property update reached the sessions then; what follows is the survivors' handshakes and any retry).`,
          ...(done > 1
            ? [
                `Every round (peak ours / no jitter = ratio; all within, ours): ${pairs
                  .map(
                    (p, i) =>
                      `${i + 1}: ${p.ours.connectsPeak.peak} / ${p.flat.connectsPeak.peak} = ${p.peakRatio === null ? '—' : `${Math.round(p.peakRatio * 100)} %`}; ${p.ours.allWithinMs === null ? 'not all' : `${Math.round(p.ours.allWithinMs)} ms`}`,
                  )
                  .join(' · ')}`,
              ]
            : []),
          'Where the spread comes from: a session moves when the interaction server publishes its new `chat.url`, and every ' +
            'session of the dead instance learns it within a few ms of the others. Backoff jitter only paces the retries against ' +
            'the dead instance before that (which all fail), so it cannot spread the storm. A move that finds the connection ' +
            'already lost tries the new place at once; only when the survivor pushes back (refused, errored, ' +
            'handshake timed out; a slow handshake is kept) does the session step back and retry after a random [0, restoreSpreadMs) ' +
            '(src/core/connection.ts). So the peak ratio is no longer the target: a survivor that keeps up takes the crowd at ' +
            'once, and "attempt -> joined p99" shows whether it kept up. A move of a live connection is never delayed.',
          ...(pairs.some((p) => p.ours.upAtKill < sessions || p.flat.upAtKill < sessions)
            ? [
                `Not every session was connected at the kill (the machine was saturated; they must be back all the same): ${pairs.map((p, i) => `round ${i + 1}: ${p.ours.upAtKill} / ${p.flat.upAtKill} of ${sessions} (ours / no jitter)`).join(' · ')}`,
              ]
            : []),
          ...(ours.onVictim < sessions
            ? [`only ${ours.onVictim} of ${sessions} chats were placed on the victim instance`]
            : []),
        ],
        data: {
          ours,
          flat,
          rounds: pairs.map((p) => ({ ours: p.ours, flat: p.flat, peakRatio: p.peakRatio })),
        },
      };
    };
    ctx.partial = () => (pairs.length ? { ...report(), status: 'partial' } : null);
    for (let i = 0; i < rounds; i++) {
      const ours = await runVariant(ctx, client, { sessions, jitter: 0.5 });
      const flat = await runVariant(ctx, client, { sessions, jitter: 0, restoreSpreadMs: 0 });
      pairs.push({ ours, flat, peakRatio: ratio(ours.connectsPeak.peak, flat.connectsPeak.peak) });
    }
    return report();
  },
};
