// Generated at build time by bench/benchmarks/bundle-size.mjs: `export { …used… } from 'rxjs'`.
declare module 'virtual:ag-rxjs-used';
