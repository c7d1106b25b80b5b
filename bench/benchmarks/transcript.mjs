// 4. Transcript: restore 10,000 messages into a fresh panel (mock back end, in the page):
// time to first render and until settled; then the cost of each appended message at that size,
// compared with the same appends at a small transcript.
import { goal } from '../lib/harness.mjs';
import { browserSession, openBackendPage } from '../lib/pages.mjs';
import { ratio, round, summarize } from '../lib/stats.mjs';

export default {
  title: 'Transcript: 10,000-message restore and appends',
  goals: [
    { metric: 'restore 10,000 messages (until settled)', goal: '<= 150 ms' },
    { metric: 'append at 10,000 (median)', goal: '<= 2 ms' },
  ],
  async run(ctx) {
    const messages = 10_000;
    const appends = ctx.quick ? 30 : 100;
    const session = await browserSession(ctx);
    const { page, panelError } = await openBackendPage(ctx, session, 'mock');
    if (panelError) ctx.notMeasured(panelError);
    const small = await page.evaluate((o) => window.agBench.appendsAtSmall(o), { appends });
    const big = await page.evaluate((o) => window.agBench.transcript(o), { messages, appends });
    const a = summarize(big.appendMs);
    const s = summarize(small.appendMs);
    return {
      method:
        `The mock back end holds a session with ${messages.toLocaleString('en-US')} messages (seeded through \`customer.send\`, ` +
        `${Math.round(big.seedMs)} ms, not timed). t0: the panel is appended to the document. First render: the first \`part="message"\` ` +
        `node in its shadow root (MutationObserver). Settled: \`connected\`, all ${messages.toLocaleString('en-US')} in \`messages\`, ` +
        `\`updateComplete\`, then two animation frames (layout and paint done). Append: from \`customer.send\` to the message in ` +
        `\`messages\` and rendered (\`updateComplete\`), one at a time, ${appends} times; this includes the mock's delivery, so the same ` +
        `is measured at a small transcript for comparison.`,
      goals: [
        goal({ metric: 'restore 10,000 messages (until settled)', value: round(big.settledMs, 0), op: '<=', target: 150, unit: 'ms', note: `first render ${round(big.firstRenderMs, 0)} ms` }),
        goal({ metric: 'append at 10,000 (median)', value: round(a.median, 2), op: '<=', target: 2, unit: 'ms', note: `p95 ${round(a.p95, 2)} ms` }),
      ],
      tables: [
        { title: 'Restore', columns: ['messages', 'first render (ms)', 'settled (ms)', 'message nodes rendered'], rows: [[messages, round(big.firstRenderMs, 1), round(big.settledMs, 1), big.rendered]] },
        {
          title: 'Append, end to end (send -> in `messages` and rendered)',
          columns: ['transcript size', 'n', 'median (ms)', 'p95 (ms)', 'median ÷ small'],
          rows: [
            ['small (empty chat)', s.n, round(s.median, 2), round(s.p95, 2), '1.00'],
            [`${messages.toLocaleString('en-US')}`, a.n, round(a.median, 2), round(a.p95, 2), ratio(a.median, s.median) ?? '—'],
          ],
        },
      ],
      notes: [`${big.rendered} message nodes were in the shadow DOM at the end (fewer than the transcript means the list is virtualized).`],
      data: { big, small },
    };
  },
};
