import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The web console: web/ → dist/web/, served by the gateway at `/` (src/http/console-assets.ts).
 * `npx vite --config web/vite.config.mts` serves it with hot reload and forwards /graphql to a gateway on :4000.
 */
export default defineConfig({
  root: here,
  base: '/',
  build: {
    outDir: path.resolve(here, '../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // Keep the one stylesheet a file: the gateway's Content-Security-Policy allows no inline styles or scripts.
    assetsInlineLimit: 0,
    // Monaco, the playground's editor, is one chunk of about 2.8 MB, loaded only by the playground at /graphql.
    chunkSizeWarningLimit: 3000,
    rollupOptions: {
      // The console, and the GraphQL playground (GraphiQL) that the gateway serves at GET /graphql.
      input: { console: path.resolve(here, 'index.html'), playground: path.resolve(here, 'playground.html') },
      // GraphiQL's React dependencies mark modules "use client" (a server-components hint): nothing to keep here.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  // Monaco's language workers import modules of their own: bundle them as ES modules.
  worker: { format: 'es' },
  server: {
    proxy: { '/graphql': 'http://127.0.0.1:4000' }, // where the gateway listens in development (HOST)
  },
});
