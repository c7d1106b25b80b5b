// Types of scripts/vendor-packages.mjs for the TypeScript configs that do not check JavaScript
// (vite.config.ts imports it).
import type { Plugin } from 'vite';
export declare function vendoredPackages(options: { root: string }): Plugin;
