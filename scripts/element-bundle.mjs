// How a self-contained element bundle is built, shared by scripts/build.mjs and the bundle-size
// benchmark (which builds its floor, and any bundle missing from dist/, with the same settings).
import { existsSync } from 'node:fs';
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
    plugins: [websocketOnlyEngine()],
    build: {
      outDir,
      emptyOutDir: false,
      copyPublicDir: false,
      target: 'es2022',
      sourcemap: false,
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
        },
      },
    },
  };
}

/**
 * engine.io-client's Socket keeps a default table of every transport it knows (HTTP long-polling
 * over XHR, WebTransport, WebSocket), so no bundler can drop the ones never used. The SDK only
 * ever opens WebSockets (ResilientConnection passes its own WebSocket transport to every socket),
 * so the element bundles get a table with the WebSocket transport alone, and the other transport
 * modules are declared free of side effects (a feature probe at their top level kept them in).
 * The library build is left alone: there the app's bundler and its own socket.io use decide.
 * The build fails if engine.io-client stops matching, rather than silently shipping the bytes.
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
    buildEnd() {
      if (!wsPath)
        throw new Error(
          "engine.io-client changed: its socket.js no longer imports './transports/index.js'",
        );
    },
  };
}
