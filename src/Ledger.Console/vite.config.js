import { defineConfig } from 'vite';

// Built into dist/, which the API project copies beside its dll and serves under /console/ (same origin as the API).
export default defineConfig({
  base: '/console/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // No inline scripts: the console's content security policy allows scripts from its own origin only.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npm run dev` proxies the API of a running `run.sh`.
    proxy: { '/api': 'http://127.0.0.1:5080' },
  },
});
