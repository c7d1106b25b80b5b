// 6. Memory: one panel relocated 500 times in one page. JS heap after a forced GC before and
// after (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage), and the open sockets counted
// by the back end: after the relocations (the panel should hold the same two: interactions +
// chat) and after the panel is removed (zero). Against the reference cluster when it is there,
// so the page's heap holds only the client; otherwise against the mock (whose own state is then
// in the same heap).
import { performance } from 'node:perf_hooks';
import { goal } from '../lib/harness.mjs';
import { browserSession, openBackendPage } from '../lib/pages.mjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const MB = 1024 * 1024;

async function heapAfterGc(cdp) {
  // several passes: one GC can leave garbage that only a second one frees (weak callbacks)
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize;
}

export default {
  title: 'Memory: 500 relocations in one page',
  goals: [
    { metric: 'heap growth after GC', goal: '<= 2 MB' },
    { metric: 'leaked sockets', goal: '<= 0 sockets' },
  ],
  async run(ctx) {
    const relocations = ctx.quick ? 100 : 500;
    const warmup = 20;
    const kind = existsSync(join(ctx.root, 'cluster/main.mjs')) ? 'cluster' : 'mock';
    const session = await browserSession(ctx);
    const { page, panelError } = await openBackendPage(ctx, session, kind);
    if (panelError) ctx.notMeasured(panelError);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    const start = await page.evaluate(() => /** @type {any} */ (window).agBench.memoryStart());
    // warm-up: JIT, lazily created caches, the first socket.io managers
    const warm = await page.evaluate((o) => /** @type {any} */ (window).agBench.memoryRelocate(o), {
      count: warmup,
    });
    const before = await heapAfterGc(cdp);
    const t0 = performance.now();
    const after = await page.evaluate(
      (o) => /** @type {any} */ (window).agBench.memoryRelocate(o),
      {
        count: relocations,
      },
    );
    const relocMs = performance.now() - t0;
    const heapAfter = await heapAfterGc(cdp);
    const removed = await page.evaluate(() => /** @type {any} */ (window).agBench.memoryRemove());
    const heapRemoved = await heapAfterGc(cdp);
    // Server-side socket counts that are exact: the same relocations against the mock, whose
    // connections() counts every open mocked socket synchronously.
    let mock = null;
    if (kind === 'cluster') {
      try {
        await page.context().close();
        const m = await openBackendPage(ctx, session, 'mock');
        const mockRelocations = ctx.quick ? 50 : 100;
        const mStart = await m.page.evaluate(() =>
          /** @type {any} */ (window).agBench.memoryStart(),
        );
        const mAfter = await m.page.evaluate(
          (o) => /** @type {any} */ (window).agBench.memoryRelocate(o),
          {
            count: mockRelocations,
          },
        );
        const mRemoved = await m.page.evaluate(() =>
          /** @type {any} */ (window).agBench.memoryRemove(),
        );
        mock = { relocations: mockRelocations, start: mStart, after: mAfter, removed: mRemoved };
      } catch (e) {
        mock = { error: e.message.split('\n')[0] };
      }
    }
    const growthMb = (heapAfter - before) / MB;
    // Client-side WebSockets are the exact count on the cluster (its server-side counts reach the
    // supervisor by IPC and lag); the mock's connections() is exact server-side.
    const exact = kind === 'cluster' ? 'pageSockets' : 'connections';
    let leaked = Math.max(0, after[exact] - warm[exact]) + removed[exact];
    if (mock?.after)
      leaked +=
        Math.max(0, mock.after.connections - mock.start.connections) + mock.removed.connections;
    return {
      method:
        `Back end: ${kind === 'cluster' ? 'the reference cluster, so the page heap holds only the client; then the mock, for an exact server-side socket count' : 'msw mock in the page (its state shares the heap)'}. ` +
        `One panel, ${warmup} warm-up relocations, then ${relocations} relocations (\`chat.relocate\`, alternating two instances, each ` +
        `waiting for \`connected\` on the target). Heap: CDP \`HeapProfiler.collectGarbage\` ×3 then \`Runtime.getHeapUsage\`. ` +
        `Leaked sockets = growth of the open-socket count across the relocations + sockets still open after the panel is removed, counted ` +
        `${kind === 'cluster' ? "by wrapping the page's WebSocket constructor (exact; the cluster's own per-process counts, shown for reference, reach its supervisor by IPC and can lag or miss the interaction server)" : 'by the mock (connections())'}.`,
      goals: [
        goal({
          metric: `heap growth after GC (${relocations} relocations)`,
          value: Math.round(growthMb * 100) / 100,
          op: '<=',
          target: 2,
          unit: 'MB',
        }),
        goal({
          metric: 'leaked sockets',
          value: leaked,
          op: '<=',
          target: 0,
          unit: 'sockets',
          note:
            `${exact === 'pageSockets' ? 'open WebSockets in the page' : 'mock connections()'}: ${warm[exact]} during, ${after[exact]} after relocations, ${removed[exact]} after removal` +
            (mock?.after
              ? `; mock connections(): ${mock.start.connections} during, ${mock.after.connections} after ${mock.relocations} relocations, ${mock.removed.connections} after removal`
              : ''),
        }),
      ],
      tables: [
        {
          columns: [
            'phase',
            'heap after GC (MB)',
            'open sockets (back end)',
            'open WebSockets (page)',
          ],
          rows: [
            ['panel connected', '—', start.connections, start.pageSockets ?? '—'],
            [
              `after ${warmup} warm-up relocations`,
              (before / MB).toFixed(2),
              warm.connections,
              warm.pageSockets ?? '—',
            ],
            [
              `after ${relocations} more relocations`,
              (heapAfter / MB).toFixed(2),
              after.connections,
              after.pageSockets ?? '—',
            ],
            [
              'panel removed',
              (heapRemoved / MB).toFixed(2),
              removed.connections,
              removed.pageSockets ?? '—',
            ],
          ],
        },
        ...(mock?.after
          ? [
              {
                title: `Socket count against the mock (exact, server side): ${mock.relocations} relocations`,
                columns: ['phase', 'mock connections()'],
                rows: [
                  ['panel connected', mock.start.connections],
                  [`after ${mock.relocations} relocations`, mock.after.connections],
                  ['panel removed', mock.removed.connections],
                ],
              },
            ]
          : []),
      ],
      notes: [
        `${relocations} relocations took ${(relocMs / 1000).toFixed(1)} s (${(relocMs / relocations).toFixed(1)} ms each, including the back end).`,
        ...(after.failures ? [`${after.failures} relocations did not complete within 10 s`] : []),
        ...(mock?.error ? [`mock socket count not measured: ${mock.error}`] : []),
      ],
      data: {
        start,
        warm,
        after,
        removed,
        heap: { before, after: heapAfter, removed: heapRemoved },
        mock,
      },
    };
  },
};
