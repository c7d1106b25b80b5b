// Where a minified bundle's bytes come from, read from its source map: every generated segment
// (from one mapping to the next on its line) belongs to the source module of its mapping. A
// module's share after compression cannot be read off the gzip stream, so it is measured as a
// marginal cost: gzip -9 of the bundle minus gzip -9 of the bundle with that module's segments
// cut out (what shipping the module costs on top of everything else). Used by the bundle-size
// benchmark only.
import { gzipSync } from 'node:zlib';
import { relative, resolve } from 'node:path';
import { SourceMapConsumer } from 'source-map-js';

/** the bytes no mapping claims (line breaks, the glue the bundler writes between modules) */
export const UNMAPPED = '(unmapped)';

/**
 * @typedef {{ module: string, ranges: [start: number, end: number][], bytes: number }} ModuleSpan
 *   `ranges`: [start, end) offsets into the code (UTF-16 units, as source-map columns count)
 */

/** gzip -9 in this process (zlib; the `gzip` binary writes a longer header, the deflate is the same level) */
export const gzip9 = (/** @type {string} */ text) =>
  gzipSync(Buffer.from(text, 'utf8'), { level: 9 }).length;

/**
 * The code's offsets split by source module. Module names are paths relative to `root` (the
 * map's sources are relative to `mapDir`, where the bundle was emitted); a virtual module keeps
 * its id.
 * @param {string} code the emitted chunk (its `//# sourceMappingURL` comment already cut)
 * @param {{ version: number | string, sources: (string | null)[], names: string[], mappings: string }} map
 *   a v3 source map (the bundler's object, whose `version` is a number and whose `sources` may
 *   hold null for code of no source file)
 * @param {{ root: string, mapDir: string }} where
 * @returns {ModuleSpan[]} biggest first; every offset of `code` is in exactly one span
 */
export function spansBySource(code, map, { root, mapDir }) {
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code[i] === '\n') lineStarts.push(i + 1);
  const lineEnd = (/** @type {number} */ line) =>
    line + 1 < lineStarts.length ? (lineStarts[line + 1] ?? code.length) - 1 : code.length;
  /** @type {Map<string, [number, number][]>} */
  const byModule = new Map();
  const claim = (/** @type {string} */ module, /** @type {number} */ start, end) => {
    if (end <= start) return;
    const ranges = byModule.get(module) ?? [];
    const last = ranges[ranges.length - 1];
    if (last && last[1] === start) last[1] = end;
    else ranges.push([start, end]);
    byModule.set(module, ranges);
  };
  const name = (/** @type {string | null} */ source) => {
    if (!source) return UNMAPPED;
    if (source.startsWith('\0') || !/[\\/]/.test(source)) return source.replace(/^\0/, '');
    return relative(root, resolve(mapDir, source)).replaceAll('\\', '/');
  };
  /** @type {{ line: number, column: number, source: string }[]} */
  const marks = [];
  // source-map-js wants strings: a null source becomes one that `name` reads as unmapped
  const sources = map.sources.map((s) => s ?? `\0${UNMAPPED}`);
  new SourceMapConsumer({ ...map, sources, version: String(map.version) }).eachMapping((m) =>
    marks.push({ line: m.generatedLine - 1, column: m.generatedColumn, source: name(m.source) }),
  );
  marks.sort((a, b) => a.line - b.line || a.column - b.column);
  // A segment runs from its mapping to the next one. Where that next one is on a later line
  // and of another module, the segment stops at its line's end: the line break and the start
  // of the next line are the bundler's glue between modules (its runtime, namespace objects),
  // unmapped. Of the same module on both sides, they are that module's (a template literal's
  // later lines carry no mapping of their own).
  let cursor = 0;
  for (let i = 0; i < marks.length; i++) {
    const m = /** @type {(typeof marks)[number]} */ (marks[i]);
    const start = (lineStarts[m.line] ?? code.length) + m.column;
    const next = marks[i + 1];
    const nextStart = next ? (lineStarts[next.line] ?? code.length) + next.column : code.length;
    const end =
      next && (next.line === m.line || next.source === m.source)
        ? nextStart
        : Math.min(lineEnd(m.line), nextStart);
    claim(UNMAPPED, cursor, start);
    claim(m.source, start, end);
    cursor = Math.max(cursor, end);
  }
  claim(UNMAPPED, cursor, code.length);
  return [...byModule.entries()]
    .map(([module, ranges]) => ({
      module,
      ranges,
      bytes: ranges.reduce((n, [s, e]) => n + Buffer.byteLength(code.slice(s, e), 'utf8'), 0),
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

/**
 * The code with the given spans cut out.
 * @param {string} code @param {ModuleSpan[]} spans
 */
export function without(code, spans) {
  const cut = spans.flatMap((s) => s.ranges).sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [s, e] of cut) {
    if (s > at) out += code.slice(at, s);
    at = Math.max(at, e);
  }
  return out + code.slice(at);
}

/**
 * gzip -9 of the code minus gzip -9 of the code without `spans`, in bytes.
 * @param {string} code @param {number} full gzip9(code) @param {ModuleSpan[]} spans
 */
export const marginalGzip = (code, full, spans) => full - gzip9(without(code, spans));
