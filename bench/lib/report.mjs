// Writes bench/results/latest.json, latest.md and the relocation-latency chart (SVG).
// The Markdown is generated from the JSON only, so the two never disagree.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { percentile } from './stats.mjs';

const fmt = (v, unit) => {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return '—';
  const n =
    Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 100) / 100);
  return unit ? `${n} ${unit}` : n;
};

const verdict = (g) => (g.met === true ? 'met' : g.met === false ? '**missed**' : 'not measured');

function table(columns, rows) {
  const esc = (c) =>
    String(c === null || c === undefined || Number.isNaN(c) ? '—' : c)
      .replaceAll('|', '\\|')
      .replaceAll('\n', ' ');
  return [
    `| ${columns.map(esc).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function renderMarkdown(result) {
  const out = [];
  out.push(`# Benchmark results`);
  out.push('');
  out.push(
    `Generated ${result.generatedAt} by \`npm run bench${result.quick ? ' -- --quick' : ''}${result.only ? ` -- --only=${result.only.join(',')}` : ''}\` ` +
      `(${result.only ? 'partial run' : result.quick ? 'quick run: fewer samples' : 'full run'}; total ${fmt(result.durationMs / 1000, 's')}). ` +
      `Machine: ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memGb} GB, ` +
      `Node ${result.machine.node}, ${result.machine.platform}` +
      (result.machine.chromium ? `, Chromium ${result.machine.chromium}` : '') +
      '. Loopback only. Figures are medians and p95 (nearest rank) of the samples; ' +
      'they are measurements of this machine, not asserted by `npm test`. How to rerun: [bench/README.md](' +
      (result.only ? '../../README.md' : '../README.md') +
      ').',
  );
  const peakLoad = Math.max(0, ...result.benchmarks.flatMap((b) => b.loadAvg ?? []));
  if (peakLoad > result.machine.cpus) {
    out.push('');
    out.push(
      `> **The machine was busy with other work during this run** (1-minute load average up to ${peakLoad} on ` +
        `${result.machine.cpus} CPUs, see the end of each section): latencies are inflated and noisier than on an idle machine.`,
    );
  }
  out.push('');
  out.push('## Goals');
  out.push('');
  const goalRows = [];
  for (const b of result.benchmarks) {
    if (b.goals?.length) {
      for (const g of b.goals) {
        goalRows.push([
          b.title,
          g.metric,
          g.goal,
          g.met === null
            ? `not measured${g.note ? `: ${g.note}` : ''}`
            : fmt(g.value, g.unit) + (g.note ? ` (${g.note})` : ''),
          verdict(g),
        ]);
      }
    } else {
      goalRows.push([b.title, '—', '—', `${b.status}: ${b.reason ?? ''}`, 'not measured']);
    }
  }
  out.push(table(['Benchmark', 'Metric', 'Goal', 'Measured', 'Verdict'], goalRows));
  for (const b of result.benchmarks) {
    out.push('');
    out.push(`## ${b.title}`);
    out.push('');
    if (b.status !== 'measured') {
      out.push(
        `**${b.status === 'partial' ? 'Partly measured' : 'Not measured'}**: ${b.reason ?? 'unknown reason'}`,
      );
      out.push('');
    }
    if (b.method) {
      out.push(b.method);
      out.push('');
    }
    for (const t of b.tables ?? []) {
      if (t.title) out.push(`**${t.title}**`, '');
      out.push(table(t.columns, t.rows));
      out.push('');
    }
    for (const c of b.charts ?? []) {
      out.push(`![${c.alt}](${c.file})`);
      out.push('');
    }
    for (const n of b.notes ?? []) out.push(`- ${n}`);
    out.push('');
    out.push(
      `_Took ${fmt((b.durationMs ?? 0) / 1000, 's')}` +
        (b.loadAvg
          ? `; load average (1 min) ${b.loadAvg[0]} at the start, ${b.loadAvg[1]} at the end, on ${result.machine.cpus} CPUs`
          : '') +
        '._',
    );
  }
  out.push('');
  return out.join('\n');
}

const palette = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
];
const escXml = (s) =>
  String(s).replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c],
  );

/**
 * Empirical CDF of each series on a logarithmic time axis: latencies of ours (tens of ms) and
 * of the socket.io baseline (around a second) fit on one chart, and the p95 is read off where a
 * curve crosses 0.95. A dot marks each series' median and a ring its p95.
 * @param {{ label: string, samples: number[], dashed?: boolean }[]} series (dashed: a baseline)
 */
export function renderCdfSvg(
  series,
  /** @type {{ title?: string, goalMs?: number }} */ { title, goalMs } = {},
) {
  const W = 760,
    H = 380,
    L = 60,
    R = 20,
    T = 40,
    B = 50 + 18 * Math.ceil(series.length / 2);
  const all = series.flatMap((s) => s.samples).filter((x) => x > 0 && Number.isFinite(x));
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...all, goalMs ?? Infinity))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all, goalMs ?? 0, lo * 10)));
  const pw = W - L - R,
    ph = H - T - B;
  const x = (v) =>
    L + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * pw;
  const y = (p) => T + (1 - p) * ph;
  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escXml(title ?? 'Latency distribution')}</text>`,
  );
  for (let d = lo; d <= hi; d *= 10) {
    for (const m of [1, 2, 5]) {
      const v = d * m;
      if (v > hi) break;
      parts.push(
        `<line x1="${x(v)}" y1="${T}" x2="${x(v)}" y2="${T + ph}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`,
      );
      parts.push(
        `<text x="${x(v)}" y="${T + ph + 15}" text-anchor="middle" fill="#444">${v >= 1000 ? `${v / 1000}s` : `${v}`}</text>`,
      );
    }
  }
  for (const p of [0, 0.25, 0.5, 0.75, 0.95, 1]) {
    parts.push(
      `<line x1="${L}" y1="${y(p)}" x2="${L + pw}" y2="${y(p)}" stroke="${p === 0.95 ? '#bbb' : '#eee'}"${p === 0.95 ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    if (p !== 1)
      parts.push(`<text x="${L - 6}" y="${y(p) + 4}" text-anchor="end" fill="#444">${p}</text>`);
  }
  parts.push(
    `<text x="${L + pw / 2}" y="${T + ph + 32}" text-anchor="middle">latency, ms (log scale)</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${T + ph / 2}) rotate(-90)" text-anchor="middle">fraction of samples ≤ x</text>`,
  );
  if (goalMs) {
    parts.push(
      `<line x1="${x(goalMs)}" y1="${T}" x2="${x(goalMs)}" y2="${T + ph}" stroke="#000" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    );
    parts.push(
      `<text x="${x(goalMs) + 4}" y="${T + 12}" fill="#000">goal p95 ≤ ${goalMs} ms</text>`,
    );
  }
  series.forEach((s, i) => {
    const color = palette[i % palette.length];
    const xs = s.samples.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
    if (xs.length > 0) {
      let d = `M ${x(xs[0]).toFixed(1)} ${y(0).toFixed(1)}`;
      xs.forEach((v, k) => {
        d += ` L ${x(v).toFixed(1)} ${y(k / xs.length).toFixed(1)} L ${x(v).toFixed(1)} ${y((k + 1) / xs.length).toFixed(1)}`;
      });
      parts.push(
        `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      );
      parts.push(`<circle cx="${x(percentile(xs, 50))}" cy="${y(0.5)}" r="4" fill="${color}"/>`);
      parts.push(
        `<circle cx="${x(percentile(xs, 95))}" cy="${y(0.95)}" r="5" fill="none" stroke="${color}" stroke-width="2"/>`,
      );
    }
    const lx = L + (i % 2) * (pw / 2),
      ly = T + ph + 50 + 18 * Math.floor(i / 2);
    parts.push(
      `<line x1="${lx}" y1="${ly - 7}" x2="${lx + 16}" y2="${ly - 7}" stroke="${color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
    );
    parts.push(
      `<text x="${lx + 20}" y="${ly - 3}">${escXml(`${s.label} (n=${xs.length})`)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function writeResults(dir, result, svgs) {
  mkdirSync(dir, { recursive: true });
  for (const [name, svg] of Object.entries(svgs)) writeFileSync(join(dir, name), svg);
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.md'), renderMarkdown(result));
}
