// 8. Start-up: the BUILT bundle on a plain page (the README's pattern) against the reference
// cluster, from the bundle's bytes being in (its Resource Timing responseEnd: what is left is
// compile, evaluate, define and the network handshakes) to the element's first `connected`,
// cold (a fresh browser context: empty HTTP cache, so no V8 code cache either) and warm (the
// same context, the bundle from the HTTP cache; second and later loads), for both elements.
// The page times everything itself with performance.now(); the bench only collects it.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { startCluster } from '../lib/cluster.mjs';
import { launchChromium } from '../lib/browser.mjs';
import { builtBundles } from '../lib/bundles.mjs';
import { goal } from '../lib/harness.mjs';
import { round, summarize } from '../lib/stats.mjs';

const WARM_GOAL_MS = 200;

/**
 * Runs first in the page (a classic inline script, before the bundle): a WebSocket subclass that
 * stamps each socket's creation, engine.io open and socket.io CONNECT ('40') and first ack ('43'),
 * the element's definition and every connection change. engine.io reads `globalThis.WebSocket`
 * when a socket opens, so the subclass is what it uses.
 */
const recorder = (tag) => `
  window.agStartup = { sockets: [], states: [], defined: NaN };
  (() => {
    const now = () => performance.now();
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(url, protocols) {
        super(url, protocols);
        const rec = { url: String(url), created: now(), open: NaN, connect: NaN, ack: NaN };
        agStartup.sockets.push(rec);
        this.addEventListener('open', () => (rec.open = now()));
        this.addEventListener('message', (e) => {
          if (typeof e.data !== 'string') return;
          if (Number.isNaN(rec.connect) && e.data.startsWith('40')) rec.connect = now();
          else if (Number.isNaN(rec.ack) && e.data.startsWith('43')) rec.ack = now();
        });
      }
    };
    customElements.whenDefined(${JSON.stringify(tag)}).then(() => (agStartup.defined = now()));
    document.addEventListener('ag-connection-change', (e) =>
      agStartup.states.push({ state: e.detail.state, t: now() }),
    );
  })();`;

/** @typedef {{ interactions: string, interactionsBackup: string, chat: Record<string, string>, pcs: Record<string, string> }} Urls */

/** @type {Record<string, { tag: string, bundle: string, body: (urls: Urls, q: URLSearchParams) => string }>} */
const elements = {
  chat: {
    tag: 'ag-chat-panel',
    bundle: 'ag-chat-panel.js',
    body: (urls, q) => `
    <ag-chat-panel
      interactions-url="${urls.interactions} ${urls.interactionsBackup}"
      allowed-origins="${Object.values(urls.chat).join(' ')}"
      interaction-id="${q.get('ix')}"
      agent-id="agent1"
      agent-name="Alex Morgan"
    ></ag-chat-panel>`,
  },
  survey: {
    tag: 'ag-survey-transfer',
    bundle: 'ag-survey-transfer.js',
    body: (urls, q) => `
    <ag-survey-transfer
      host="standalone"
      mode="transfer"
      pcs-nodes="${Object.values(urls.pcs).join(' ')}"
      dialog-id="${q.get('dialog')}"
      ani="5551234567"
      dialed-number="8000"
      agent-id="agent1"
    ></ag-survey-transfer>`,
  },
};

const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json' };

/**
 * Serves `/<element>.html?…` (the README's plain page) and the whole bundle folder under
 * `/bundles/` (so chunks beside a bundle resolve). Bundles are cacheable (warm loads take them
 * from the HTTP cache, as a CDN's would be); the pages are not.
 * @param {string} dir @param {Urls} urls
 */
async function startPageServer(dir, urls) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://page.invalid');
    const page = /^\/(chat|survey)\.html$/.exec(url.pathname)?.[1];
    const el = page ? elements[page] : undefined;
    if (el) {
      // ids come from the bench, but a page never echoes a query unfiltered
      const q = new URLSearchParams();
      for (const [k, v] of url.searchParams) q.set(k, v.replace(/[^\w:.-]/g, ''));
      res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' });
      return res.end(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>start-up: ${el.tag}</title>
    <link rel="icon" href="data:," />
    <script>${recorder(el.tag)}</script>
    <script type="module" src="/bundles/${el.bundle}"></script>
  </head>
  <body>${el.body(urls, q)}
    <script type="module">
      // Credentials are properties, never attributes or URLs (README).
      document.querySelector(${JSON.stringify(el.tag)}).tokenProvider = () => 'agent1-token';
    </script>
  </body>
</html>`);
    }
    if (url.pathname.startsWith('/bundles/')) {
      const rel = normalize(decodeURIComponent(url.pathname.slice('/bundles/'.length)));
      const file = join(dir, rel);
      if (!rel.startsWith('..') && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, {
          'Content-Type': types[extname(file)] ?? 'application/octet-stream',
          'Cache-Control': 'public, max-age=3600',
        });
        return createReadStream(file).pipe(res);
      }
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the page server is not listening');
  return {
    base: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

/**
 * What one load measured, in ms since the navigation started (the page's clock).
 * @typedef {{ bundle: { responseEnd: number, fromCache: boolean, transferSize: number },
 *   defined: number, sockets: { url: string, created: number, open: number, connect: number, ack: number }[],
 *   fetches: { name: string, start: number, end: number }[], connected: number, scripts: number }} Load
 */

/**
 * Loads the page and waits for the element's first `connected`.
 * @param {import('playwright-core').Page} page @param {string} url
 * @returns {Promise<Load>}
 */
async function loadOnce(page, url) {
  await page.goto(url);
  await page.waitForFunction(
    () => /** @type {any} */ (window).agStartup?.states.some((s) => s.state === 'connected'),
    null,
    { timeout: 30_000 },
  );
  return page.evaluate(() => {
    const rec = /** @type {any} */ (window).agStartup;
    const resources = /** @type {PerformanceResourceTiming[]} */ (
      performance.getEntriesByType('resource')
    );
    const bundle = resources.find((r) => /\/bundles\/ag-[\w-]+\.js$/.test(r.name));
    return {
      bundle: {
        responseEnd: bundle?.responseEnd ?? NaN,
        // a cache hit transfers no bytes (the response came from the HTTP cache)
        fromCache: bundle ? bundle.transferSize === 0 : false,
        transferSize: bundle?.transferSize ?? NaN,
      },
      defined: rec.defined,
      sockets: rec.sockets,
      fetches: resources
        .filter((r) => r.initiatorType === 'fetch')
        .map((r) => ({ name: r.name, start: r.startTime, end: r.responseEnd })),
      connected: rec.states.find((/** @type {any} */ s) => s.state === 'connected').t,
      scripts: resources.filter((r) => r.name.includes('/bundles/')).length,
    };
  });
}

/**
 * The milestones of one load, relative to the bundle's bytes being in. The phases are the gaps
 * between consecutive milestones, so they add up to the total.
 * @param {'chat' | 'survey'} kind @param {Load} l @param {Urls} urls
 */
function phases(kind, l, urls) {
  const t0 = l.bundle.responseEnd;
  const origin = (/** @type {string} */ u) => new URL(u).origin;
  const ixOrigins = new Set([urls.interactions, urls.interactionsBackup].map(origin));
  const on = (/** @type {Set<string>} */ set) =>
    l.sockets.filter((s) => set.has(origin(s.url.replace(/^ws/, 'http'))));
  const firstConnected = (/** @type {Load['sockets']} */ list) =>
    list.filter((s) => s.connect <= l.connected).sort((a, b) => a.connect - b.connect)[0];
  /** @type {[string, number][]} */
  const marks = [['parse + evaluate + define', l.defined]];
  if (kind === 'chat') {
    const ix = firstConnected(on(ixOrigins));
    const chat = firstConnected(on(new Set(Object.values(urls.chat).map(origin))));
    marks.push(
      ['until the first socket', ix?.created ?? NaN],
      ['interaction server handshake', ix?.connect ?? NaN],
      ['properties (watch ack)', ix?.ack ?? NaN],
      ['chat instance handshake', chat?.connect ?? NaN],
      ['first join (transcript)', l.connected],
    );
  } else {
    const pcsOrigins = new Set(Object.values(urls.pcs).map(origin));
    const pcsFetches = l.fetches.filter((f) => pcsOrigins.has(origin(f.name)));
    const firstStatus = pcsFetches.filter((f) => /\/status\b/.test(f.name));
    const pcs = firstConnected(on(pcsOrigins));
    marks.push(
      ['until the first request', Math.min(...pcsFetches.map((f) => f.start), pcs?.created ?? NaN)],
      ['PCS status (which node is primary)', Math.min(...firstStatus.map((f) => f.end))],
      ['survey list + PCS socket handshake', pcs?.connect ?? NaN],
      ['first join (subscribed, connected)', l.connected],
    );
  }
  /** @type {Record<string, number>} */
  const out = {};
  let prev = t0;
  for (const [name, t] of marks) {
    out[name] = Number.isFinite(t) && t >= prev ? t - prev : NaN;
    if (Number.isFinite(t) && t >= prev) prev = t;
  }
  return { total: l.connected - t0, fromNavigation: l.connected, phases: out };
}

export default {
  title: 'Start-up: bundle evaluated -> connected (Chromium, cluster)',
  goals: [
    { metric: 'chat panel, warm, p95', goal: `<= ${WARM_GOAL_MS} ms` },
    { metric: 'survey gadget, warm, p95', goal: `<= ${WARM_GOAL_MS} ms` },
  ],
  /** @param {import("../lib/harness.mjs").BenchContext} ctx */
  async run(ctx) {
    ctx.requireFiles('cluster/main.mjs', 'scripts/element-bundle.mjs', 'src/define/chat-panel.ts');
    const samples = ctx.quick ? 8 : 25;
    const bundles = await builtBundles(ctx);
    const cluster = await startCluster(ctx.root);
    ctx.defer(() => cluster.stop());
    const urls = cluster.info.urls;
    const server = await startPageServer(bundles.dir, urls);
    ctx.defer(() => server.close());
    const browser = await launchChromium(ctx);

    let dialogs = 0;
    const pageUrl = async (/** @type {'chat' | 'survey'} */ kind) => {
      if (kind === 'survey') return `${server.base}/survey.html?dialog=startup-${++dialogs}`;
      const { interactionId } = await cluster.control('interactions', 'startChat', {});
      return `${server.base}/chat.html?ix=${encodeURIComponent(interactionId)}`;
    };
    /** @type {{ kind: 'chat' | 'survey', mode: 'cold' | 'warm', load: Load, m: ReturnType<typeof phases> }[]} */
    const results = [];
    /** @type {string[]} */
    const failures = [];
    const report = () => build(results, failures, samples, bundles.source);
    ctx.partial = () => (results.length ? report() : null);

    for (const kind of /** @type {const} */ (['chat', 'survey'])) {
      // one unmeasured load first: the cluster's first session and Chromium's first page cost more
      {
        const context = await browser.newContext();
        await loadOnce(await context.newPage(), await pageUrl(kind)).catch((e) =>
          ctx.log(`warm-up load failed: ${e.message.split('\n')[0]}`),
        );
        await context.close();
      }
      // cold: a fresh context per load (its own empty HTTP cache, hence no code cache)
      for (let i = 0; i < samples; i++) {
        ctx.checkAborted();
        const context = await browser.newContext();
        try {
          const load = await loadOnce(await context.newPage(), await pageUrl(kind));
          if (load.bundle.fromCache) throw new Error('a cold load found the bundle in the cache');
          results.push({ kind, mode: 'cold', load, m: phases(kind, load, urls) });
        } catch (e) {
          failures.push(`${kind} cold ${i}: ${e.message.split('\n')[0]}`);
        } finally {
          await context.close();
        }
      }
      // warm: one context and one tab, loaded again and again (the first load is not counted)
      const context = await browser.newContext();
      ctx.defer(() => context.close());
      const page = await context.newPage();
      for (let i = 0; i <= samples; i++) {
        ctx.checkAborted();
        try {
          const load = await loadOnce(page, await pageUrl(kind));
          if (i === 0) continue;
          if (!load.bundle.fromCache) throw new Error('a warm load fetched the bundle again');
          results.push({ kind, mode: 'warm', load, m: phases(kind, load, urls) });
        } catch (e) {
          failures.push(`${kind} warm ${i}: ${e.message.split('\n')[0]}`);
        }
      }
      await page.goto('about:blank');
      await context.close();
    }
    return report();
  },
};

/**
 * @param {{ kind: 'chat' | 'survey', mode: 'cold' | 'warm', load: Load, m: ReturnType<typeof phases> }[]} results
 * @param {string[]} failures @param {number} samples @param {string} source
 */
function build(results, failures, samples, source) {
  const label = { chat: '<ag-chat-panel>', survey: '<ag-survey-transfer>' };
  const of = (/** @type {string} */ kind, /** @type {string} */ mode) =>
    results.filter((r) => r.kind === kind && r.mode === mode);
  const goals = [];
  const rows = [];
  /** @type {{ title: string, columns: string[], rows: (string | number)[][] }[]} */
  const breakdowns = [];
  for (const kind of /** @type {const} */ (['chat', 'survey'])) {
    for (const mode of /** @type {const} */ (['cold', 'warm'])) {
      const rs = of(kind, mode);
      const total = summarize(rs.map((r) => r.m.total));
      const nav = summarize(rs.map((r) => r.m.fromNavigation));
      rows.push([
        label[kind],
        mode,
        total.n,
        round(total.median),
        round(total.p95),
        round(total.max),
        round(nav.median),
        round(nav.p95),
      ]);
      if (mode === 'warm')
        goals.push(
          goal({
            metric: `${label[kind]}, warm: bundle evaluated -> connected, p95`,
            value: total.n ? round(total.p95) : null,
            op: '<=',
            target: WARM_GOAL_MS,
            unit: 'ms',
            note: total.n
              ? `median ${round(total.median)} ms, n=${total.n}; cold p95 ${round(summarize(of(kind, 'cold').map((r) => r.m.total)).p95)} ms`
              : (failures.find((f) => f.startsWith(`${kind} warm`)) ?? 'no samples'),
          }),
        );
    }
    const names = Object.keys(of(kind, 'cold')[0]?.m.phases ?? of(kind, 'warm')[0]?.m.phases ?? {});
    if (names.length)
      breakdowns.push({
        title: `Where the time goes, ${label[kind]} (ms, median / p95 of each phase; consecutive, from the bundle's bytes in)`,
        columns: ['phase', 'cold median', 'cold p95', 'warm median', 'warm p95'],
        rows: names.map((name) => {
          const c = summarize(of(kind, 'cold').map((r) => r.m.phases[name] ?? NaN));
          const w = summarize(of(kind, 'warm').map((r) => r.m.phases[name] ?? NaN));
          return [name, round(c.median), round(c.p95), round(w.median), round(w.p95)];
        }),
      });
  }
  const chunks = Math.max(0, ...results.map((r) => r.load.scripts));
  return {
    status: failures.length ? 'partial' : 'measured',
    method:
      `The BUILT bundles (${source}) on a plain page as the README shows it (the bundle as a module script in the head, ` +
      'the element with its attributes, a module script setting `tokenProvider`), served over HTTP on 127.0.0.1 with the ' +
      'whole bundle folder (chunks beside a bundle resolve), against the reference cluster with default element settings. ' +
      "t0 is the bundle's Resource Timing `responseEnd` (its bytes are in: what follows is compile, evaluate, " +
      "`customElements.define`, the handshakes and the first join); t1 the element's first `ag-connection-change` to " +
      '`connected` (chat: the session joined, transcript received; survey: the PCS status stream subscribed on the primary). ' +
      'The page stamps everything with `performance.now()`: a classic inline script before the bundle wraps `WebSocket` ' +
      "(creation, socket.io CONNECT `40`, first ack `43`), awaits `customElements.whenDefined`, and listens to the element's " +
      'events; fetches come from Resource Timing. ' +
      `Cold: a fresh browser context per load (empty HTTP cache, hence no V8 code cache), ${samples} loads; warm: one context ` +
      `and tab loading the page ${samples} more times after a first load that is not counted (the bundle comes from the ` +
      'HTTP cache, `Cache-Control: max-age=3600`, and from the second load on V8 can use its code cache). A fresh chat ' +
      '(`interactions.startChat`) or dialog id per load. "From navigation" adds the HTML and the bundle download.',
    goals,
    tables: [
      {
        columns: [
          'element',
          'load',
          'n',
          'median (ms)',
          'p95 (ms)',
          'max (ms)',
          'from navigation: median (ms)',
          'from navigation: p95 (ms)',
        ],
        rows,
      },
      ...breakdowns,
    ],
    notes: [
      ...(chunks > 1
        ? [
            `Up to ${chunks} script files from the bundle folder were loaded per page (chunks included).`,
          ]
        : []),
      ...failures.slice(0, 5),
    ],
    data: {
      results: results.map(({ kind, mode, load, m }) => ({ kind, mode, ...m, load })),
      failures,
    },
  };
}
