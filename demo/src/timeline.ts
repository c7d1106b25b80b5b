/**
 * Connection timeline: one lane per gadget, the connection state drawn as coloured segments
 * over time, and every relocation/failover as a marker labelled with its gap in ms.
 * Fed by the gadgets' public events (ag-connection-change, ag-relocated), nothing private.
 */
import { svg, html, nothing, type TemplateResult } from 'lit';
import type { ConnectionState, ReconnectReason } from '../../src/core/state.js';

interface Segment {
  readonly t0: number;
  t1?: number;
  readonly state: ConnectionState;
  readonly reason?: ReconnectReason;
  readonly endpoint?: string;
}
interface Relocation {
  readonly t: number;
  readonly from: string;
  readonly to: string;
  readonly gapMs: number;
}
interface Lane {
  readonly label: string;
  readonly segments: Segment[];
  readonly relocations: Relocation[];
}

/** Something the back end did (a kill, a restore, a new primary), shown above the gadget lanes. */
interface BackendMark {
  readonly t: number;
  readonly label: string;
  readonly kind: 'fault' | 'recovery' | 'info';
}

export const stateColors: Record<ConnectionState, string> = {
  idle: 'var(--tl-idle)',
  connecting: 'var(--tl-connecting)',
  connected: 'var(--tl-connected)',
  reconnecting: 'var(--tl-reconnecting)',
  closed: 'var(--tl-closed)',
  failed: 'var(--tl-failed)',
};

export class Timeline {
  readonly started = performance.now();
  private readonly lanes = new Map<string, Lane>();
  private readonly marks: BackendMark[] = [];

  constructor(private readonly windowMs = 60_000) {}

  /** Records the gadget's events; returns a function that stops listening. */
  watch(id: string, label: string, el: HTMLElement): () => void {
    const lane: Lane = { label, segments: [], relocations: [] };
    this.lanes.set(id, lane);
    const onChange = (e: Event) => {
      const d = (e as HTMLElementEventMap['ag-connection-change']).detail;
      const now = performance.now();
      const last = lane.segments.at(-1);
      if (
        last &&
        last.state === d.state &&
        last.endpoint === d.endpoint &&
        last.reason === d.reason
      )
        return;
      if (last) last.t1 = now;
      lane.segments.push({ t0: now, state: d.state, reason: d.reason, endpoint: d.endpoint });
    };
    const onRelocated = (e: Event) => {
      const d = (e as HTMLElementEventMap['ag-relocated']).detail;
      lane.relocations.push({ t: performance.now(), from: d.from, to: d.to, gapMs: d.gapMs });
    };
    // The element may have changed state before we started listening: start from where it is.
    const current = (el as HTMLElement & { connectionState?: ConnectionState }).connectionState;
    if (current) lane.segments.push({ t0: performance.now(), state: current });
    el.addEventListener('ag-connection-change', onChange);
    el.addEventListener('ag-relocated', onRelocated);
    return () => {
      el.removeEventListener('ag-connection-change', onChange);
      el.removeEventListener('ag-relocated', onRelocated);
    };
  }

  /** Records a back-end event (from the mock's events$), so a gap can be read against its cause. */
  mark(label: string, kind: BackendMark['kind']): void {
    this.marks.push({ t: performance.now(), label, kind });
    if (this.marks.length > 200) this.marks.shift();
  }

  relocations(id: string): readonly Relocation[] {
    return this.lanes.get(id)?.relocations ?? [];
  }

  render(): TemplateResult {
    const now = performance.now();
    // The axis starts at page load and scrolls once more than `windowMs` has passed.
    const span = Math.max(20_000, Math.min(this.windowMs, now - this.started));
    const t0 = Math.max(this.started, now - this.windowMs);
    const width = 1200;
    const left = 120;
    const laneH = 34;
    const markRows = 3;
    const marksH = markRows * 13 + 8;
    const top = 8 + marksH;
    const lanes = [...this.lanes.values()];
    const height = top + lanes.length * (laneH + 22) + 24;
    const x = (t: number) => left + ((Math.max(t, t0) - t0) / span) * (width - left - 8);
    // Greedy label placement: each label goes on the first row where it clears the previous one.
    const rowEnds: number[] = new Array<number>(markRows).fill(-Infinity);
    const marks = this.marks
      .filter((m) => m.t >= t0)
      .map((m) => {
        const labelX = Math.min(x(m.t) + 6, width - 6.5 * m.label.length);
        let row = rowEnds.findIndex((end) => end < labelX);
        if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
        rowEnds[row] = labelX + 6.5 * m.label.length + 8;
        return { ...m, labelX, labelY: 8 + 10 + row * 13 };
      });
    const ticks: number[] = [];
    const step = span > 40_000 ? 10_000 : 5_000;
    for (let s = Math.ceil((t0 - this.started) / step) * step; s <= now - this.started; s += step)
      ticks.push(s);

    return html`<svg
        class="timeline-chart"
        viewBox="0 0 ${width} ${height}"
        role="img"
        aria-label="Connection state of each gadget over the last ${Math.round(span / 1000)} seconds"
      >
        ${ticks.map(
          (
            s,
          ) => svg`<line class="tick" x1=${x(this.started + s)} x2=${x(this.started + s)} y1=${top} y2=${height - 20} />
            <text class="tick-label" x=${x(this.started + s)} y=${height - 6} text-anchor="middle">${s / 1000}s</text>`,
        )}
        <text class="lane-label" x="0" y=${8 + marksH / 2}>back end</text>
        ${marks.map(
          (m) => svg`<g class="mark" data-kind=${m.kind}>
            <line x1=${x(m.t)} x2=${x(m.t)} y1=${m.labelY - 4} y2=${height - 20} />
            <circle cx=${x(m.t)} cy=${m.labelY - 4} r="3.5"><title>${m.label}</title></circle>
            <text x=${m.labelX} y=${m.labelY}>${m.label}</text>
          </g>`,
        )}
        ${lanes.map((lane, i) => {
          const y = top + i * (laneH + 22);
          return svg`<g class="lane" data-lane=${lane.label}>
            <text class="lane-label" x="0" y=${y + laneH / 2 + 4}>${lane.label}</text>
            <rect class="lane-bg" x=${left} y=${y} width=${width - left - 8} height=${laneH} rx="4" />
            ${lane.segments
              .filter((s) => (s.t1 ?? now) >= t0)
              .map((s) => {
                const x0 = x(s.t0);
                const w = Math.max(1.5, x(s.t1 ?? now) - x0);
                const title = `${s.state}${s.reason ? ` (${s.reason})` : ''}${s.endpoint ? ` · ${s.endpoint}` : ''} · ${Math.round((s.t1 ?? now) - s.t0)} ms`;
                return svg`<rect class="seg" data-state=${s.state} x=${x0} y=${y} width=${w} height=${laneH} rx="3"
                  fill=${stateColors[s.state]}><title>${title}</title></rect>
                  ${w > 70 && s.endpoint ? svg`<text class="seg-label" x=${x0 + 6} y=${y + laneH / 2 + 4}>${s.endpoint}</text>` : nothing}`;
              })}
            ${lane.relocations
              .filter((r) => r.t >= t0)
              .map(
                (r) => svg`<g class="relocation">
                  <line x1=${x(r.t)} x2=${x(r.t)} y1=${y - 3} y2=${y + laneH + 3} />
                  <text x=${Math.min(x(r.t) + 4, width - 150)} y=${y + laneH + 15}>${r.from} → ${r.to} · ${Math.round(r.gapMs)} ms</text>
                </g>`,
              )}
          </g>`;
        })}
      </svg>
      <ul class="legend" aria-label="Legend">
        ${(Object.keys(stateColors) as ConnectionState[]).map(
          (s) => html`<li><span class="swatch" data-state=${s}></span>${s}</li>`,
        )}
        <li><span class="swatch relocation-swatch"></span>relocation / failover (gap)</li>
        <li><span class="swatch mark-swatch"></span>back-end event</li>
      </ul>`;
  }
}
