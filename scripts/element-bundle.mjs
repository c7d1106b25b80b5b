// How a self-contained element bundle is built, shared by scripts/build.mjs and the bundle-size
// benchmark (which builds its floor, and any bundle missing from dist/, with the same settings).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultClientConditions } from 'vite';

/**
 * Vite settings for one minified, self-contained ES module: `entry` -> `outDir/fileName`.
 * No config file and no public dir (it would ship the msw worker); rxjs resolves to its ES2015
 * build (its default export condition is the ES5 build, about 40 % bigger).
 * @param {{ root: string, entry: string, outDir: string, fileName: string }} options
 * @returns {import('vite').InlineConfig}
 */
export function elementBundleConfig({ root, entry, outDir, fileName }) {
  return {
    configFile: false,
    root,
    logLevel: 'warn',
    mode: 'production',
    publicDir: false,
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    resolve: { conditions: ['es2015', ...defaultClientConditions] },
    // library code the SDK provably never runs, left out; each plugin below says why, and the
    // build fails when its library no longer matches (dist/lib's vendored socket.io: the same)
    plugins: [
      ...socketIoStackCuts(),
      rxjsWithoutAsyncInputs(),
      rxjsWithoutDeprecatedFlags(),
      licenceNoticeFile({ root, fileName }),
    ],
    build: {
      outDir,
      emptyOutDir: false,
      copyPublicDir: false,
      target: 'es2022',
      sourcemap: false,
      // what the bundle contains of which package, with the licence texts: see licenceNoticeFile
      license: { fileName: licenceRecord(fileName) },
      lib: { entry, formats: ['es'], fileName: () => fileName },
      // One script per element for the page (or the Finesse gadget) to load; what only some
      // pages need (the Finesse host, locale catalogues) is a dynamic import(), emitted as a
      // chunk beside it, named after its bundle and fetched relative to it (import.meta.url):
      // `outDir/<fileName without .js>-<chunk>-<hash>.js`.
      rolldownOptions: {
        // lets the chunks import what they share with the main module from it (it exports a
        // few more bindings) instead of splitting the shared code into a third file
        preserveEntrySignatures: 'allow-extension',
        output: {
          minify: true,
          // nothing minifies these files again: the /* @__PURE__ */ hints are dead weight here
          comments: { annotation: false },
          chunkFileNames: `${fileName.replace(/\.js$/, '')}-[name]-[hash].js`,
          // the minifier drops the libraries' own licence comments: one line points at the file
          postBanner: (chunk) =>
            chunk.isEntry
              ? `/*! ${fileName}: agent-gadgets and the packages it bundles; licences: ./${licenceFileName(fileName)} */`
              : '',
        },
      },
    },
  };
}

/** `ag-chat-panel.js` -> `ag-chat-panel.licenses.md`, shipped beside it */
export const licenceFileName = (/** @type {string} */ fileName) =>
  fileName.replace(/\.js$/, '.licenses.md');
const licenceRecord = (/** @type {string} */ fileName) =>
  fileName.replace(/\.js$/, '.licenses.json');

/**
 * @typedef {{ name: string, version: string, identifier?: string, text?: string }} BundledPackage
 * one entry of Vite's licence record (`build.license` with a .json file name)
 */

/**
 * The packages of Vite's licence record `asset` (the output of `build.license` with a .json
 * file name); fails the build, through `ctx`, when one declares no licence or ships no text.
 * @param {{ error: (message: string) => never }} ctx the plugin context
 * @param {unknown} asset the record in the output bundle
 * @param {string} what the output the record is of, for the error
 * @returns {BundledPackage[]}
 */
export function bundledPackages(ctx, asset, what) {
  const record = /** @type {{ type?: string, source?: unknown } | undefined} */ (asset);
  if (record?.type !== 'asset') return ctx.error(`${what}: no licence record was written`);
  /** @type {BundledPackage[]} */
  const packages = JSON.parse(String(record.source));
  const missing = packages.filter((p) => !p.identifier || !p.text).map((p) => p.name);
  if (missing.length) ctx.error(`${what}: no licence found for ${missing.join(', ')}`);
  return packages;
}

/**
 * The licence texts of bundled packages, as one Markdown file shipped beside the code.
 * @param {BundledPackage[]} packages
 * @param {string} file what bundles them
 */
export function licenceNotice(packages, file) {
  const parts = packages.map(
    (p) =>
      `## ${p.name} ${p.version} (${p.identifier ?? 'licence not declared'})\n\n${p.text ?? ''}\n`,
  );
  return `# Third-party licences\n\n${file} contains code from these packages:\n\n${parts.join('\n')}`;
}

/**
 * The MIT, BSD-3-Clause and Apache-2.0 licences of what a bundle contains (our own code, lit,
 * rxjs, the socket.io stack) ask for their notices to travel with it, and the minifier drops the
 * libraries' licence comments. So beside each bundle: `<bundle>.licenses.md`, made from Vite's
 * record of the packages in it (`build.license`), with agent-gadgets' own licence first. The
 * build fails when a package in it declares no licence or ships no licence text.
 * @param {{ root: string, fileName: string }} options
 * @returns {import('vite').Plugin}
 */
export function licenceNoticeFile({ root, fileName }) {
  const record = licenceRecord(fileName);
  return {
    name: 'ag-licence-notice',
    generateBundle: {
      order: 'post', // after Vite's licence plugin wrote the record
      handler(_, bundle) {
        const packages = bundledPackages(this, bundle[record], fileName);
        delete bundle[record];
        const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
        const self = {
          name: own.name,
          version: own.version,
          identifier: own.license,
          text: readFileSync(join(root, 'LICENSE'), 'utf8').trim(),
        };
        this.emitFile({
          type: 'asset',
          fileName: licenceFileName(fileName),
          source: licenceNotice([self, ...packages], `${fileName} (and its lazy chunks)`),
        });
      },
    },
  };
}

/**
 * The cuts of the socket.io client stack (socket.io-client, engine.io-client), shared by the
 * element bundles and the library's vendored copy of the stack (scripts/vendor-packages.mjs).
 * @returns {import('vite').Plugin[]}
 */
export function socketIoStackCuts() {
  return [
    websocketOnlyEngine(),
    engineWithoutUpgrade(),
    engineWithoutUnsetOptions(),
    engineWithoutBase64Send(),
    socketIoWithoutReconnection(),
    socketIoWithoutRetries(),
  ].flat();
}

/**
 * engine.io-client's Socket keeps a default table of every transport it knows (HTTP long-polling
 * over XHR, WebTransport, WebSocket), so no bundler can drop the ones never used. The SDK only
 * ever opens WebSockets (ResilientConnection passes its own WebSocket transport to every socket),
 * so the element bundles get a table with the WebSocket transport alone, and the other transport
 * modules are declared free of side effects (a feature probe at their top level kept them in).
 * The library's vendored copy of the stack gets the same (scripts/vendor-packages.mjs).
 * The build fails if engine.io-client stops matching, rather than silently shipping the bytes.
 * @returns {import('vite').Plugin}
 */
export function websocketOnlyEngine() {
  const virtualId = '\0ag-engine-websocket-only';
  const socketModule = /engine\.io-client[\\/]build[\\/]esm[\\/]socket\.js$/;
  const engineModule = /engine\.io-client[\\/]build[\\/]esm[\\/][^\\/]+\.js$/;
  const unusedTransport =
    /^\.\/transports\/(polling|polling-xhr|polling-fetch|webtransport)(\.node)?\.js$/;
  let wsPath = null;
  return {
    name: 'ag-websocket-only-engine',
    enforce: 'pre', // before Vite's resolver, which would take the relative import itself
    resolveId(source, importer) {
      if (importer && engineModule.test(importer) && unusedTransport.test(source)) {
        // the browser build of each (package.json "browser" maps *.node.js to *.js)
        const id = join(dirname(importer), source.replace(/\.node\.js$/, '.js'));
        return existsSync(id) ? { id, moduleSideEffects: false } : null;
      }
      if (source !== './transports/index.js' || !importer || !socketModule.test(importer))
        return null;
      wsPath = join(dirname(importer), 'transports/websocket.js');
      if (!existsSync(wsPath)) throw new Error(`engine.io-client changed: ${wsPath} is missing`);
      return virtualId;
    },
    load(id) {
      if (id !== virtualId) return null;
      return `import { WS } from ${JSON.stringify(wsPath)};\nexport const transports = { websocket: WS };\n`;
    },
    buildEnd(error) {
      // after another error the transports module may not have been reached: that error says why
      if (!error && !wsPath)
        throw new Error(
          "engine.io-client changed: its socket.js no longer imports './transports/index.js'",
        );
    },
  };
}

/**
 * @typedef {{ find: string, replace: string }
 *   | { from: string, to: string, sha256: string, replace?: string }} LibraryEdit
 * `find`: text that must occur exactly once, replaced. `from`..`to` (to excluded): a region that
 * must occur exactly once and hash to `sha256` (first 12 hex digits), replaced (default: removed).
 */

/**
 * Edits one library module of the element bundles, to drop code that the SDK provably never runs
 * (each caller says why). Every edit must match exactly once, a removed region must be the very
 * text it was verified against, and the module must be part of the build: else the build fails,
 * so a library update is verified again instead of shipping half-edited or unedited.
 * @param {string} name plugin name
 * @param {RegExp} module the module's path
 * @param {LibraryEdit[]} edits applied in order
 * @returns {import('vite').Plugin}
 */
function libraryEdits(name, module, edits) {
  let seen = false;
  const changed = (what) =>
    new Error(`${name}: the library changed (${what}), verify the edit again`);
  const once = (code, text) => {
    const at = code.indexOf(text);
    if (at < 0 || code.indexOf(text, at + 1) >= 0)
      throw changed(`${JSON.stringify(text.slice(0, 60))} is not there exactly once`);
    return at;
  };
  return {
    name,
    transform(code, id) {
      if (!module.test(id)) return null;
      seen = true;
      for (const edit of edits) {
        if ('find' in edit) {
          const at = once(code, edit.find);
          code = code.slice(0, at) + edit.replace + code.slice(at + edit.find.length);
          continue;
        }
        const start = once(code, edit.from);
        const end = code.indexOf(edit.to, start);
        if (end < 0) throw changed(`no ${JSON.stringify(edit.to.slice(0, 60))} after its start`);
        const sha = createHash('sha256').update(code.slice(start, end)).digest('hex').slice(0, 12);
        if (sha !== edit.sha256)
          throw changed(`${JSON.stringify(edit.from.slice(0, 60))}... hashes to ${sha}`);
        code = code.slice(0, start) + (edit.replace ?? '') + code.slice(end);
      }
      return { code, map: null };
    },
    buildEnd(error) {
      if (!error && !seen) throw changed(`no module matches ${module}`);
    },
  };
}

/**
 * rxjs turns any "observable input" into an Observable (`innerFrom`, and `scheduled` when a
 * scheduler is passed), and the branches for async iterables and ReadableStreams bring tslib's
 * async-generator helpers. The SDK only ever hands rxjs Observables, Promises and arrays (every
 * `from`, `defer`, projection and `of` in src/ is typed so; observables of another rxjs copy take
 * the interop branch), and never a scheduler to `from`/`of`/`merge`/`concat`/`combineLatest` (the
 * schedulers it passes go to `timer`/`interval`/`timeout`, which schedule directly). So in the
 * element bundles (and in dist/lib's vendored rxjs, scripts/vendor-packages.mjs) those branches
 * are gone: such an input throws rxjs's own "invalid object where a stream was expected"
 * TypeError, and `from(x, scheduler)` throws, rather than misbehave.
 * @returns {import('vite').Plugin[]}
 */
export function rxjsWithoutAsyncInputs() {
  return [
    libraryEdits(
      'ag-rxjs-inner-from',
      /rxjs[\\/]dist[\\/]esm[\\/]internal[\\/]observable[\\/]innerFrom\.js$/,
      [
        {
          find: `        if (isAsyncIterable(input)) {
            return fromAsyncIterable(input);
        }
`,
          replace: '',
        },
        {
          find: `        if (isReadableStreamLike(input)) {
            return fromReadableStreamLike(input);
        }
`,
          replace: '',
        },
      ],
    ),
    libraryEdits(
      'ag-rxjs-from',
      /rxjs[\\/]dist[\\/]esm[\\/]internal[\\/]observable[\\/]from\.js$/,
      [
        { find: "import { scheduled } from '../scheduled/scheduled';\n", replace: '' },
        {
          find: 'return scheduler ? scheduled(input, scheduler) : innerFrom(input);',
          replace:
            "if (scheduler) throw new TypeError('agent-gadgets bundle: rxjs from() with a scheduler is not included');\n    return innerFrom(input);",
        },
      ],
    ),
  ];
}

/**
 * socket.io-client's Manager can reconnect by itself (with backo2's backoff); the SDK turns that
 * off for every socket (`reconnection: false` in ResilientConnection.createSocket, the only
 * `io()` call in the bundles) and reconnects itself. So in the element bundles the Manager has
 * no reconnect loop, no Backoff and none of its settings (reconnectionAttempts/Delay/DelayMax,
 * randomizationFactor, which the SDK never calls): `reconnection(true)` (also the default, when
 * the option is not false) throws instead of connecting without the reconnection it asked for.
 * @returns {import('vite').Plugin}
 */
export function socketIoWithoutReconnection() {
  return libraryEdits(
    'ag-socket-io-no-reconnection',
    /socket\.io-client[\\/]build[\\/]esm[\\/]manager\.js$/,
    [
      { find: 'import { Backoff } from "./contrib/backo2.js";\n', replace: '' },
      {
        find: '        this._reconnection = !!v;\n',
        replace:
          '        if (v) throw new Error("agent-gadgets bundle: socket.io\'s own reconnection is not included (reconnection: false)");\n        this._reconnection = false;\n',
      },
      {
        find: `        this.backoff = new Backoff({
            min: this.reconnectionDelay(),
            max: this.reconnectionDelayMax(),
            jitter: this.randomizationFactor(),
        });
`,
        replace: '',
      },
      // the backoff's settings, which only the Backoff read: set in the constructor, never by the SDK
      {
        find: `        this.reconnectionAttempts(opts.reconnectionAttempts || Infinity);
        this.reconnectionDelay(opts.reconnectionDelay || 1000);
        this.reconnectionDelayMax(opts.reconnectionDelayMax || 5000);
        this.randomizationFactor((_a = opts.randomizationFactor) !== null && _a !== void 0 ? _a : 0.5);
`,
        replace: '',
      },
      { from: '    reconnectionAttempts(v) {', to: '    timeout(v) {', sha256: '056456b52ccd' },
      // reconnect() and onreconnect(), to the end of the class: only called when _reconnection
      { from: '    /**\n     * Attempt a reconnection.', to: '\n}\n', sha256: 'd62873f03fd7' },
      // the one left, in onclose()
      { find: '        this.backoff.reset();\n', replace: '' },
    ],
  );
}

/**
 * engine.io-client starts on its first transport and then probes the upgrades the server offers
 * (`_probe`: polling to WebSocket or WebTransport). The element bundles have one transport, the
 * WebSocket (websocketOnlyEngine; ResilientConnection passes only its WebSocket transport), and
 * engine.io servers offer no upgrade from a WebSocket (nor does the msw binding the mocks use: `upgrades: []`),
 * so the offered upgrades filtered by our transports are always empty. Without the probe the
 * socket behaves as with `upgrade: false`, a supported option: it stays on its WebSocket (and
 * close() no longer waits for an upgrade that cannot be in progress).
 * @returns {import('vite').Plugin}
 */
export function engineWithoutUpgrade() {
  return libraryEdits(
    'ag-engine-no-upgrade',
    /engine\.io-client[\\/]build[\\/]esm[\\/]socket\.js$/,
    [
      {
        find: `        if ("open" === this.readyState && this.opts.upgrade) {
            for (let i = 0; i < this._upgrades.length; i++) {
                this._probe(this._upgrades[i]);
            }
        }
`,
        replace: '',
      },
      {
        from: '    /**\n     * Probes a transport.',
        to: '    /**\n     * Called when connection is deemed open.',
        sha256: '2d4c76787340',
      },
      // close(): without a probe `upgrading` is never set, so close does not wait for an upgrade
      {
        from: '        const cleanupAndClose = () => {',
        to: '        return this;\n    }\n    /**\n     * Called upon transport error',
        sha256: '271dcf8dcc27',
        replace: `        if ("opening" === this.readyState || "open" === this.readyState) {
            this.readyState = "closing";
            if (this.writeBuffer.length) {
                this.once("drain", close);
            }
            else {
                close();
            }
        }
`,
      },
    ],
  );
}

/**
 * socket.io-client's Socket queues every emit for at-least-once delivery when the `retries`
 * option is set (`_addToQueue`/`_drainQueue`). The SDK never sets it (its only `io()` options are
 * reconnection, forceNew, multiplex, transports, timeout and auth; the outbox retries itself), so
 * in the element bundles the queue is gone and a Socket given `retries` throws.
 * @returns {import('vite').Plugin}
 */
export function socketIoWithoutRetries() {
  return libraryEdits(
    'ag-socket-io-no-retries',
    /socket\.io-client[\\/]build[\\/]esm[\\/]socket\.js$/,
    [
      {
        find: '        this._opts = Object.assign({}, opts);\n',
        replace:
          '        this._opts = Object.assign({}, opts);\n        if (this._opts.retries) throw new Error("agent-gadgets bundle: socket.io\'s retries option is not included");\n',
      },
      {
        find: `        if (this._opts.retries && !this.flags.fromQueue && !this.flags.volatile) {
            this._addToQueue(args);
            return this;
        }
`,
        replace: '',
      },
      {
        from: '    /**\n     * Add the packet to the queue.',
        to: '    /**\n     * Sends a packet.\n',
        sha256: 'cdc017dc9410',
      },
      { find: '        this._drainQueue(true);\n', replace: '' },
    ],
  );
}

/**
 * engine.io-client code behind options the SDK never sets (its one `io()` call passes
 * reconnection, forceNew, multiplex, transports, timeout and auth; the Manager hands the same
 * options to the engine), or behind a transport it never uses: `closeOnBeforeunload` (default
 * false), `tryAllTransports` (default false, and there is one transport), `rememberUpgrade`
 * (default false) and the payload-size split of `_getWritablePackets` (HTTP long-polling only;
 * the transport is always the WebSocket).
 * @returns {import('vite').Plugin}
 */
export function engineWithoutUnsetOptions() {
  return libraryEdits(
    'ag-engine-unset-options',
    /engine\.io-client[\\/]build[\\/]esm[\\/]socket\.js$/,
    [
      {
        from: '            if (this.opts.closeOnBeforeunload) {',
        to: '            if (this.hostname !== "localhost") {',
        sha256: '1af71f7fe152',
      },
      {
        find: `        const transportName = this.opts.rememberUpgrade &&
            Socket.priorWebsocketSuccess &&
            this.transports.indexOf("websocket") !== -1
            ? "websocket"
            : this.transports[0];
`,
        replace: '        const transportName = this.transports[0];\n',
      },
      {
        from: '        const shouldCheckPayloadSize = ',
        to: '    }\n    /**\n     * Checks whether the heartbeat timer',
        sha256: '64ac8334930b',
        replace: '        return this.writeBuffer;\n',
      },
      {
        find: `        if (this.opts.tryAllTransports &&
            this.transports.length > 1 &&
            this.readyState === "opening") {
            this.transports.shift();
            return this._open();
        }
`,
        replace: '',
      },
    ],
  );
}

/**
 * rxjs's `config` has two deprecated flags, `useDeprecatedSynchronousErrorHandling` and
 * `useDeprecatedNextContext` (both false by default), that change how every Observable,
 * Subject and Subscriber behaves, and only code that imports rxjs's `config` can set them:
 * nothing in the bundles does (src/ never imports it; lit does not use rxjs), and dist/lib's
 * vendored rxjs exports only what src/ imports. So in both the code for those flags is gone,
 * and the build fails if a module outside rxjs imports `config`, or all of rxjs as a namespace
 * (which could reach it).
 * @returns {import('vite').Plugin[]}
 */
export function rxjsWithoutDeprecatedFlags() {
  const rxjsModule = /[\\/]node_modules[\\/]rxjs[\\/]/;
  const importsConfig =
    /import\s*(?:\*\s*as\s+\w+|\{[^}]*\bconfig\b[^}]*\})\s*from\s*['"]rxjs(?:\/[^'"]*)?['"]/;
  return [
    libraryEdits(
      'ag-rxjs-error-context',
      /rxjs[\\/]dist[\\/]esm[\\/]internal[\\/]util[\\/]errorContext\.js$/,
      [
        {
          from: "import { config } from '../config';",
          to: '//# sourceMappingURL',
          sha256: 'f1ffacd56f3d',
          replace:
            'export function errorContext(cb) {\n    cb();\n}\nexport function captureError() { }\n',
        },
      ],
    ),
    libraryEdits(
      'ag-rxjs-subscriber-flags',
      /rxjs[\\/]dist[\\/]esm[\\/]internal[\\/]Subscriber\.js$/,
      [
        {
          from: '            let context;\n            if (this && config.useDeprecatedNextContext) {',
          to: '        this.destination = new ConsumerObserver',
          sha256: '59d7adabbd16',
          replace: '            partialObserver = observerOrNext;\n        }\n',
        },
        {
          find: `    if (config.useDeprecatedSynchronousErrorHandling) {
        captureError(error);
    }
    else {
        reportUnhandledError(error);
    }
`,
          replace: '    reportUnhandledError(error);\n',
        },
      ],
    ),
    {
      name: 'ag-rxjs-config-unused',
      transform(code, id) {
        if (!rxjsModule.test(id) && importsConfig.test(code))
          throw new Error(
            `${id} imports rxjs's config (or all of rxjs): rxjsWithoutDeprecatedFlags() assumes nothing can set its flags`,
          );
        return null;
      },
    },
  ];
}

/**
 * engine.io-parser base64-encodes binary data (through a FileReader) for a transport without
 * binary support, which is one created with `forceBase64`; the SDK never sets it, so its
 * WebSocket transport always supports binary. In the element bundles the base64 send path is
 * gone, and a transport given `forceBase64` throws.
 * @returns {import('vite').Plugin[]}
 */
export function engineWithoutBase64Send() {
  return [
    libraryEdits(
      'ag-engine-force-base64',
      /engine\.io-client[\\/]build[\\/]esm[\\/]transport\.js$/,
      [
        {
          find: '        this.supportsBinary = !opts.forceBase64;\n',
          replace:
            '        if (opts.forceBase64) throw new Error("agent-gadgets bundle: engine.io\'s forceBase64 option is not included");\n        this.supportsBinary = true;\n',
        },
      ],
    ),
    libraryEdits(
      'ag-engine-parser-no-base64-send',
      /engine\.io-parser[\\/]build[\\/]esm[\\/]encodePacket\.browser\.js$/,
      [
        {
          find: `        if (supportsBinary) {
            return callback(data);
        }
        else {
            return encodeBlobAsBase64(data, callback);
        }
`,
          replace: '        return callback(data);\n',
        },
        {
          find: `        if (supportsBinary) {
            return callback(data);
        }
        else {
            return encodeBlobAsBase64(new Blob([data]), callback);
        }
`,
          replace: '        return callback(data);\n',
        },
      ],
    ),
  ];
}
