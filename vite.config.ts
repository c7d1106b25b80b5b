import { defineConfig } from 'vite';

// Demo dev server (npm start). The library build lives in scripts/build.mjs.
export default defineConfig({
  root: 'demo',
  publicDir: 'public',
  server: { port: 5173, strictPort: false, open: false },
});
