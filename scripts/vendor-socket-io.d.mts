// Types of scripts/vendor-socket-io.mjs for the TypeScript configs that do not check JavaScript
// (vite.config.ts imports it).
import type { Plugin } from 'vite';
export declare function vendoredSocketIo(options: { root: string }): Plugin;
