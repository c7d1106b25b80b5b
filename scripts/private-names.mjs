// Short names for TypeScript `private` class members in the element bundles.
//
// The minifier shortens local variables and `#private` names but keeps every property name,
// since it cannot know which ones other code reads. TypeScript's `private` says exactly that
// (nothing outside the class may touch the member) but is erased before the minifier runs. So
// this plugin renames them first, in the TypeScript source, with the type checker finding every
// reference: a reference it cannot attribute with certainty fails the build instead of
// shipping a half-renamed member. Left alone: decorated members (Lit's `@state() private`, whose
// names Lit uses), constructor parameter properties (the name is also a local), `protected`,
// and everything outside src/. Only the element bundles use it: dist/lib stays as written.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';

/** src/**\/*.ts except mocks (never in a bundle) and declaration files */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'mocks' ? [] : sourceFiles(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** $0 … $9, $a … $z, $A … $Z, $_, then two characters after the `$`: never a name we write */
function shortName(i) {
  const digits = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_';
  let out = '';
  let n = i;
  do {
    out = digits[n % digits.length] + out;
    n = Math.floor(n / digits.length) - 1;
  } while (n >= 0);
  return `$${out}`;
}

/** file -> edits ({ start, end, text }), for every private member of every class in src/ */
async function computeEdits(root) {
  const ts = (await import('typescript')).default;
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  const files = sourceFiles(join(root, 'src'));
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const inSrc = (sf) => files.includes(normalize(sf.fileName));

  // 1. the private members: declaration node -> symbol
  const privates = new Map(); // symbol -> { name, refs: [] }
  const privateDecls = new Map(); // declaration -> its member
  for (const sf of program.getSourceFiles()) {
    if (!inSrc(sf)) continue;
    const visit = (node) => {
      if (ts.isClassLike(node)) {
        for (const m of node.members) {
          const named =
            ts.isPropertyDeclaration(m) ||
            ts.isMethodDeclaration(m) ||
            ts.isGetAccessorDeclaration(m) ||
            ts.isSetAccessorDeclaration(m);
          if (!named || !m.name || !ts.isIdentifier(m.name)) continue;
          if (!(ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Private)) continue;
          if (ts.canHaveDecorators(m) && ts.getDecorators(m)?.length) continue;
          const symbol = checker.getSymbolAtLocation(m.name);
          if (!symbol)
            throw new Error(`private-names: no symbol for ${m.name.text} in ${sf.fileName}`);
          if (!privates.has(symbol)) privates.set(symbol, { name: m.name.text, refs: [] });
          privateDecls.set(m, privates.get(symbol));
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  const names = new Set([...privates.values()].map((p) => p.name));
  const ours = (symbol, sf, at) => {
    if (!symbol) return null;
    if (privates.has(symbol)) return privates.get(symbol);
    // an instantiated member of a generic class has a symbol of its own, same declarations
    const decls = symbol.declarations ?? [];
    const mine = new Set(decls.map((d) => privateDecls.get(d)));
    if (!mine.has(undefined) && mine.size === 1) return [...mine][0];
    if (mine.size === 0 || (mine.size === 1 && mine.has(undefined))) return null;
    // a union of members (A | B).x where one is ours: renaming one side would break the other
    const where =
      sf && at
        ? ` (${sf.fileName}:${sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1})`
        : '';
    throw new Error(
      `private-names: cannot rename ${symbol.name}${where}: it merges other declarations`,
    );
  };

  // 2. every reference, found by symbol (a text match is only where to look)
  for (const sf of program.getSourceFiles()) {
    if (!inSrc(sf)) continue;
    const visit = (node) => {
      let id = null;
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) id = node.name;
      else if (privateDecls.has(node)) id = node.name;
      else if (
        ts.isElementAccessExpression(node) &&
        ts.isStringLiteralLike(node.argumentExpression) &&
        names.has(node.argumentExpression.text)
      ) {
        const p = ours(checker.getSymbolAtLocation(node.argumentExpression), sf, node);
        if (p) p.refs.push({ sf, node: node.argumentExpression, quoted: true });
      } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
        const key = node.propertyName ?? node.name;
        if (ts.isIdentifier(key) && names.has(key.text)) {
          const type = checker.getTypeAtLocation(node.parent);
          const p = ours(type.getProperty(key.text), sf, node);
          if (p) p.refs.push({ sf, node: key, shorthand: !node.propertyName });
        }
      } else if (
        (ts.isShorthandPropertyAssignment(node) || ts.isPropertyAssignment(node)) &&
        ts.isIdentifier(node.name) &&
        names.has(node.name.text)
      ) {
        // an object literal typed as a class (rare): refuse rather than guess
        const contextual = checker.getContextualType(node.parent);
        if (contextual && ours(contextual.getProperty(node.name.text), sf, node))
          throw new Error(`private-names: ${node.name.text} set through an object literal`);
      }
      if (id && names.has(id.text)) {
        const p = ours(checker.getSymbolAtLocation(id), sf, id);
        if (p) p.refs.push({ sf, node: id });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }

  // 3. the most used get the shortest names (they compress best when short, too)
  const ranked = [...privates.values()].sort((a, b) => b.refs.length - a.refs.length);
  const edits = new Map();
  ranked.forEach((p, i) => {
    const short = shortName(i);
    for (const { sf, node, quoted, shorthand } of p.refs) {
      const file = normalize(sf.fileName);
      const start = node.getStart(sf);
      const end = node.getEnd();
      const text = quoted ? JSON.stringify(short) : shorthand ? `${short}: ${p.name}` : short;
      if (!edits.has(file)) edits.set(file, []);
      edits.get(file).push({ start, end, text });
    }
  });
  return { edits, members: privates.size };
}

const cache = new Map(); // root -> { stamp, result }

function stampOf(root) {
  return sourceFiles(join(root, 'src'))
    .map((f) => `${f}:${statSync(f).mtimeMs}`)
    .join('|');
}

/** The Vite plugin (pre: it must see the TypeScript source as the checker saw it). */
export function privateNames(root) {
  let result = null;
  return {
    name: 'ag-private-names',
    enforce: 'pre',
    async buildStart() {
      const stamp = stampOf(root);
      const hit = cache.get(root);
      if (hit && hit.stamp === stamp) result = hit.result;
      else {
        result = await computeEdits(root);
        cache.set(root, { stamp, result });
      }
    },
    transform(code, id) {
      const file = normalize(id.split('?')[0]);
      const edits = result?.edits.get(file);
      if (!edits) return null;
      // the offsets are the file's on disk: any other transform before this one voids them
      if (code !== readFileSync(file, 'utf8'))
        throw new Error(`private-names: ${file} was changed before renaming`);
      let out = code;
      for (const e of [...edits].sort((a, b) => b.start - a.start))
        out = out.slice(0, e.start) + e.text + out.slice(e.end);
      return { code: out, map: null };
    },
  };
}
