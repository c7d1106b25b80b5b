// The socket.io client stack of the ESM library (dist/lib), vendored: one module,
// dist/lib/vendor/socket.io-client.js, built from the exact versions in our lockfile with the
// same cuts as the element bundles (scripts/element-bundle.mjs: WebSocket transport only, no
// reconnection of its own, no retries queue, no upgrade probe, no base64 send).
//
// Why the library does not leave socket.io-client to the app's resolution, as it does lit and rxjs:
// - the SDK subclasses engine.io's WebSocket transport and turns socket.io's own reconnection off;
//   what runs in an app is then the code our tests ran, not whichever 4.x/6.x the app resolves;
// - `io()` references every engine.io transport (polling, WebTransport) and no bundler can drop
//   them: a default Vite app paid 2 KB gzip for them, and 1.5 KB more for the code the cuts remove;
// - nothing is lost by not sharing it: an app's own socket.io connections would not share ours.
// lit and rxjs stay shared dependencies: an app (or another element library) that uses them
// dedupes them with ours. The vendored versions and their licences are in
// dist/lib/vendor/socket.io-client.licenses.md; socket.io-client stays a dependency, pinned to
// the vendored version (checked here), for its types (the connection options are typed by it)
// and so that audit tools see the version that runs.
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { build } from 'vite';
import { bundledPackages, licenceNotice, socketIoStackCuts } from './element-bundle.mjs';

/** What the SDK imports from the stack, and where its modules find it in dist/lib. */
const vendored = {
  specifiers: ['socket.io-client', 'engine.io-client'],
  fileName: 'vendor/socket.io-client.js',
  licenses: 'vendor/socket.io-client.licenses.md',
  // connection.ts: `io` (socket.io-client) and the WebSocket transport it extends (engine.io-client)
  source: "export { io } from 'socket.io-client';\nexport { WebSocket } from 'engine.io-client';\n",
};

/** The import specifiers a chunk names, as rolldown prints them: `from "x"` and `import "x"`. */
const importOf = (specifier) =>
  new RegExp(`(\\bfrom\\s*|\\bimport\\s*)(["'])${specifier.replace(/[.]/g, '\\.')}\\2`, 'g');

/**
 * Vite plugin for the library build (vite.config.ts): builds the vendored module (unminified,
 * like the rest of dist/lib: the app's bundler minifies), emits it with its licences, and points
 * every chunk's import of socket.io-client or engine.io-client at it. The build fails when a
 * chunk still names either afterwards, or when a cut no longer matches its library.
 * @param {{ root: string }} options
 * @returns {import('vite').Plugin}
 */
export function vendoredSocketIo({ root }) {
  const entryId = '\0ag-vendored-socket-io';
  const licensesJson = 'licenses.json'; // Vite's record of what it bundled (name, version, licence, text)
  return {
    name: 'ag-vendored-socket-io',
    apply: 'build',
    renderChunk(code, chunk) {
      const lazy = vendored.specifiers.filter((s) => chunk.dynamicImports.includes(s));
      if (lazy.length) this.error(`${chunk.fileName} imports ${lazy} lazily: not vendored`);
      if (!vendored.specifiers.some((s) => chunk.imports.includes(s))) return null;
      const from = posix.dirname(chunk.fileName);
      let path = posix.relative(from, vendored.fileName);
      if (!path.startsWith('.')) path = `./${path}`;
      let out = code;
      for (const s of vendored.specifiers) out = out.replace(importOf(s), `$1$2${path}$2`);
      for (const s of vendored.specifiers)
        if (importOf(s).test(out))
          this.error(`${chunk.fileName} still imports ${s} after vendoring`);
      return { code: out, map: null };
    },
    async generateBundle() {
      const output = await build({
        configFile: false,
        root,
        logLevel: 'warn',
        mode: 'production',
        publicDir: false,
        plugins: [
          {
            name: 'ag-vendored-socket-io-entry',
            resolveId: (id) => (id === entryId ? id : null),
            load: (id) => (id === entryId ? vendored.source : null),
          },
          ...socketIoStackCuts(),
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
            output: { format: 'es', entryFileNames: vendored.fileName },
          },
        },
      });
      // write: false, no watch: the output itself
      const outputs = /** @type {import('vite').Rollup.RollupOutput[]} */ (
        Array.isArray(output) ? output : [output]
      );
      const files = outputs.flatMap((o) => o.output);
      const chunk = files.find((f) => f.fileName === vendored.fileName);
      if (chunk?.type !== 'chunk' || files.length !== 2)
        return this.error(
          `vendored socket.io: expected one module and its licences, got ${files.map((f) => f.fileName)}`,
        );
      const record = files.find((f) => f.fileName === licensesJson);
      const packages = bundledPackages(this, record, 'vendored socket.io');
      // package.json pins socket.io-client to the version that runs, so audit tools see it
      const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies?.[
        'socket.io-client'
      ];
      const bundled = packages.find((p) => p.name === 'socket.io-client')?.version;
      if (pinned !== bundled)
        this.error(
          `package.json's socket.io-client is ${pinned}, the vendored copy ${bundled}: pin it exactly`,
        );
      const names = packages.map((p) => `${p.name} ${p.version} (${p.identifier})`).join(', ');
      this.emitFile({
        type: 'asset',
        fileName: vendored.fileName,
        source:
          `/*! ${names}; vendored by agent-gadgets with the cuts of its scripts/element-bundle.mjs. ` +
          `Licences: ./${posix.basename(vendored.licenses)} */\n` +
          chunk.code,
      });
      this.emitFile({
        type: 'asset',
        fileName: vendored.licenses,
        source: licenceNotice(packages, 'dist/lib/vendor/socket.io-client.js'),
      });
    },
  };
}
