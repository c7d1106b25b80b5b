// web-test-runner plugin: React and react-dom ship CommonJS only, which the browser cannot
// import. This bundles them once (esbuild, which @web/dev-server-esbuild already brings) into
// one ES module and serves `react`, `react-dom` and `react-dom/client` as thin re-exports of it,
// so the tests, src/react and @lit/react share one React instance.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const bundleUrl = '/__react/bundle.js';
/** bare specifier -> [served URL, name of its export in the bundle] */
const modules = {
  react: ['/__react/react.js', 'React'],
  'react-dom': ['/__react/react-dom.js', 'ReactDOM'],
  'react-dom/client': ['/__react/react-dom-client.js', 'ReactDOMClient'],
};

let bundle;
async function reactBundle() {
  bundle ??= build({
    stdin: {
      contents: Object.entries(modules)
        .map(([spec, [, name]]) => `export { default as ${name} } from '${spec}';`)
        .join('\n'),
      resolveDir: process.cwd(),
    },
    bundle: true,
    format: 'esm',
    write: false,
    define: { 'process.env.NODE_ENV': '"development"' },
  }).then((r) => /** @type {import('esbuild').OutputFile} */ (r.outputFiles[0]).text);
  return bundle;
}

/**
 * The names a CommonJS React module exports, read from its production build's `exports.X =`
 * lines (requiring it here would run React's dev build inside the runner's console).
 */
function exportNames(spec) {
  const index = require.resolve(spec);
  const prod = /require\('(\.\/cjs\/[\w.-]+\.production\.js)'\)/.exec(readFileSync(index, 'utf8'));
  if (!prod) throw new Error(`react-esm: ${spec} has no production build to read exports from`);
  const code = readFileSync(join(dirname(index), /** @type {string} */ (prod[1])), 'utf8');
  return [...new Set([...code.matchAll(/\bexports\.([A-Za-z_$][\w$]*)\s*=/g)].map((m) => m[1]))];
}

/** @returns {import('@web/test-runner').TestRunnerPlugin} */
export function reactEsmPlugin() {
  return {
    name: 'react-esm',
    resolveImport({ source }) {
      return modules[source]?.[0];
    },
    async serve(context) {
      if (context.path === bundleUrl) return { body: await reactBundle(), type: 'js' };
      const entry = Object.entries(modules).find(([, [url]]) => url === context.path);
      if (!entry) return undefined;
      const [spec, [, name]] = entry;
      const names = exportNames(spec);
      return {
        body:
          `import { ${name} } from '${bundleUrl}';\nexport default ${name};\n` +
          `export const { ${names.join(', ')} } = ${name};\n`,
        type: 'js',
      };
    },
  };
}
