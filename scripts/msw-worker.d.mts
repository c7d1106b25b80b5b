// Types of scripts/msw-worker.mjs for the TypeScript configs that do not check JavaScript
// (vite.config.ts imports it).
export declare const claimRequest: string;
export declare function mswWorkerSource(root: string): string;
