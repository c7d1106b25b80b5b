// What the ESM library (dist/lib) vendors: the socket.io client stack, always, and rxjs, for the
// apps that would otherwise get rxjs's ES5 build. Each is one module under dist/lib/vendor/, built
// from the exact versions in our lockfile with the same cuts as the element bundles
// (scripts/element-bundle.mjs), with its licences beside it.
//
// The socket.io stack (dist/lib/vendor/socket.io-client.js; every chunk imports it by path):
// - the SDK subclasses engine.io's WebSocket transport and turns socket.io's own reconnection off;
//   what runs in an app is then the code our tests ran, not whichever 4.x/6.x the app resolves;
// - `io()` references every engine.io transport (polling, WebTransport) and no bundler can drop
//   them: a default Vite app paid 2 KB gzip for them, and 1.5 KB more for the code the cuts remove;
// - nothing is lost by not sharing it: an app's own socket.io connections would not share ours.
// socket.io-client stays a dependency, pinned to the vendored version (checked here), for its
// types (the connection options are typed by it) and so that audit tools see the version that runs.
//
// rxjs (dist/lib/vendor/rxjs.js; every chunk imports it as `#rxjs`, package.json's `imports`):
// - an app whose bundler resolves the `es2015` condition (Angular's builders do; so does a Vite
//   or webpack app that sets it, as the README suggests) gets `#rxjs` -> `rxjs`: one rxjs, its
//   ES2015 build, shared with the app's own;
// - any other app (Vite's and webpack's defaults) would get rxjs's default condition, its ES5
//   build (about 40 % bigger), without the cuts only our own build can make (1.1 KB): it gets the
//   vendored module instead, which is what our bundles contain. An app of that kind that uses rxjs
//   itself then has two copies; the es2015 condition makes it one (and its own rxjs smaller).
// lit stays a shared dependency in every case: its default condition is its production build.
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { build, defaultClientConditions } from 'vite';
import {
  bundledPackages,
  licenceNotice,
  rxjsWithoutAsyncInputs,
  rxjsWithoutDeprecatedFlags,
  socketIoStackCuts,
} from './element-bundle.mjs';

/**
 * @typedef {object} Vendored
 * @property {string} name what the messages call it
 * @property {string[]} specifiers the packages it replaces in the chunks' imports
 * @property {string} fileName where it is in dist/lib
 * @property {string} licenses its licences, beside it
 * @property {(chunkFileName: string, fileName: string) => string} importFrom what a chunk at
 *   `chunkFileName` imports instead (`fileName`: the vendored module's)
 * @property {(bindings: Set<string>) => string} source the vendored module's source, given what
 *   the chunks import from it
 * @property {() => import('vite').Plugin[]} cuts the bundles' cuts of its packages
 * @property {string[]} [conditions] resolve conditions of its build
 * @property {(pkg: any, packages: import('./element-bundle.mjs').BundledPackage[]) => string | null} check
 *   what package.json must say of it (given what the vendored module contains): null, or what is wrong
 */

/** @type {Vendored[]} */
const vendored = [
  {
    name: 'socket.io',
    specifiers: ['socket.io-client', 'engine.io-client'],
    fileName: 'vendor/socket.io-client.js',
    licenses: 'vendor/socket.io-client.licenses.md',
    importFrom: relativeTo,
    // connection.ts: `io` (socket.io-client) and the WebSocket transport it extends (engine.io-client)
    source: () =>
      "export { io } from 'socket.io-client';\nexport { WebSocket } from 'engine.io-client';\n",
    cuts: socketIoStackCuts,
    // package.json pins socket.io-client to the version that runs, so audit tools see it
    check(pkg, packages) {
      const pinned = pkg.dependencies?.['socket.io-client'];
      const version = packages.find((p) => p.name === 'socket.io-client')?.version;
      return pinned === version
        ? null
        : `package.json's socket.io-client is ${pinned}, the vendored copy ${version}: pin it exactly`;
    },
  },
  {
    name: 'rxjs',
    specifiers: ['rxjs'],
    fileName: 'vendor/rxjs.js',
    licenses: 'vendor/rxjs.licenses.md',
    importFrom: () => rxjsImport,
    source: (bindings) => `export { ${[...bindings].sort().join(', ')} } from 'rxjs';\n`,
    cuts: () => [...rxjsWithoutAsyncInputs(), ...rxjsWithoutDeprecatedFlags()],
    // its ES2015 build, as in the bundles (the default condition is ES5)
    conditions: ['es2015', ...defaultClientConditions],
    check: (pkg) =>
      JSON.stringify(pkg.imports?.[rxjsImport]) === JSON.stringify(rxjsImportMap)
        ? null
        : `package.json's imports["${rxjsImport}"] must be ${JSON.stringify(rxjsImportMap)}`,
  },
];

/** The subpath import the chunks name rxjs by, and what package.json must map it to. */
const rxjsImport = '#rxjs';
const rxjsImportMap = { es2015: 'rxjs', default: './dist/lib/vendor/rxjs.js' };

/** `vendor/x.js` as a chunk at `chunkFileName` imports it */
function relativeTo(/** @type {string} */ chunkFileName, /** @type {string} */ fileName) {
  const path = posix.relative(posix.dirname(chunkFileName), fileName);
  return path.startsWith('.') ? path : `./${path}`;
}

const escaped = (/** @type {string} */ s) => s.replace(/[.#]/g, '\\$&');
/** The import specifiers a chunk names, as rolldown prints them: `from "x"` and `import "x"`. */
const importOf = (/** @type {string} */ specifier) =>
  new RegExp(`(\\bfrom\\s*|\\bimport\\s*)(["'])${escaped(specifier)}\\2`, 'g');
/** Named imports as rolldown prints them: `import { a, b as c } from "x"`. */
const namedImportsOf = (/** @type {string} */ specifier) =>
  new RegExp(`\\bimport\\s*\\{([^}]*)\\}\\s*from\\s*(["'])${escaped(specifier)}\\2`, 'g');
/** Side-effect imports as rolldown prints them: `import "x"`. */
const bareImportOf = (/** @type {string} */ specifier) =>
  new RegExp(`\\bimport\\s*(["'])${escaped(specifier)}\\1`, 'g');

/**
 * Vite plugin for the library build (vite.config.ts): builds each vendored module (unminified,
 * like the rest of dist/lib: the app's bundler minifies), emits it with its licences, and points
 * every chunk's import of its packages at it. The build fails when a chunk still names one of them
 * afterwards (or imports one lazily, or in a form this cannot list), when a cut no longer matches
 * its library, or when package.json does not say of it what `check` asks (socket.io-client pinned,
 * `#rxjs` mapped as above).
 * @param {{ root: string }} options
 * @returns {import('vite').Plugin}
 */
export function vendoredPackages({ root }) {
  const licensesJson = 'licenses.json'; // Vite's record of what it bundled (name, version, licence, text)
  /** what the chunks import, per vendored module */
  const bindings = new Map(vendored.map((v) => [v, new Set()]));
  return {
    name: 'ag-vendored-packages',
    apply: 'build',
    buildStart() {
      bindings.forEach((set) => set.clear());
    },
    renderChunk(code, chunk) {
      let out = code;
      for (const v of vendored) {
        const lazy = v.specifiers.filter((s) => chunk.dynamicImports.includes(s));
        if (lazy.length) this.error(`${chunk.fileName} imports ${lazy} lazily: not vendored`);
        // a subpath (`rxjs/operators`) would escape the vendored module: the app would resolve it
        const subpath = chunk.imports.find((i) => v.specifiers.some((s) => i.startsWith(`${s}/`)));
        if (subpath)
          this.error(`${chunk.fileName} imports ${subpath}: import from the package root`);
        if (!v.specifiers.some((s) => chunk.imports.includes(s))) continue;
        for (const s of v.specifiers) {
          const named = [...out.matchAll(namedImportsOf(s))];
          for (const [, list = ''] of named)
            for (const item of list.split(',')) {
              const name = item.trim().split(/\s+as\s+/)[0];
              if (name) bindings.get(v)?.add(name);
            }
          const forms = named.length + [...out.matchAll(bareImportOf(s))].length;
          if (forms !== [...out.matchAll(importOf(s))].length)
            this.error(`${chunk.fileName} imports ${s} in a form the vendoring cannot list`);
          out = out.replace(importOf(s), `$1$2${v.importFrom(chunk.fileName, v.fileName)}$2`);
          if (importOf(s).test(out))
            this.error(`${chunk.fileName} still imports ${s} after vendoring`);
        }
      }
      return out === code ? null : { code: out, map: null };
    },
    async generateBundle() {
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      for (const v of vendored) {
        const used = bindings.get(v) ?? new Set();
        if (used.size === 0) continue;
        const entryId = `\0ag-vendored-${v.name}`;
        const output = await build({
          configFile: false,
          root,
          logLevel: 'warn',
          mode: 'production',
          publicDir: false,
          ...(v.conditions ? { resolve: { conditions: v.conditions } } : {}),
          plugins: [
            {
              name: 'ag-vendored-entry',
              resolveId: (id) => (id === entryId ? id : null),
              load: (id) => (id === entryId ? v.source(used) : null),
            },
            ...v.cuts(),
          ],
          build: {
            write: false,
            target: 'es2022',
            minify: false,
            sourcemap: false,
            copyPublicDir: false,
            license: { fileName: licensesJson },
            rolldownOptions: {
              input: entryId,
              preserveEntrySignatures: 'strict',
              output: { format: 'es', entryFileNames: v.fileName },
            },
          },
        });
        // write: false, no watch: the output itself
        const outputs = /** @type {import('vite').Rollup.RollupOutput[]} */ (
          Array.isArray(output) ? output : [output]
        );
        const files = outputs.flatMap((o) => o.output);
        const chunk = files.find((f) => f.fileName === v.fileName);
        if (chunk?.type !== 'chunk' || files.length !== 2)
          return this.error(
            `vendored ${v.name}: expected one module and its licences, got ${files.map((f) => f.fileName)}`,
          );
        const record = files.find((f) => f.fileName === licensesJson);
        const packages = bundledPackages(this, record, `vendored ${v.name}`);
        const wrong = v.check(pkg, packages);
        if (wrong) this.error(wrong);
        const names = packages.map((p) => `${p.name} ${p.version} (${p.identifier})`).join(', ');
        this.emitFile({
          type: 'asset',
          fileName: v.fileName,
          source:
            `/*! ${names}; vendored by agent-gadgets with the cuts of its scripts/element-bundle.mjs. ` +
            `Licences: ./${posix.basename(v.licenses)} */\n` +
            chunk.code,
        });
        this.emitFile({
          type: 'asset',
          fileName: v.licenses,
          source: licenceNotice(packages, `dist/lib/${v.fileName}`),
        });
      }
    },
  };
}
