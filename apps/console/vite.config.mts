import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The console is built into apps/console/dist, which the case service serves at `/`
 * (apps/case-service/src/console/serve-console.ts). `npm run dev:console` serves it with hot
 * reload and forwards the API to the service on CONSOLE_API_TARGET (default localhost:3000).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: {
      // The domain's pure tables (lifecycle rules, enumerations) are compiled into the console, so
      // the actions it offers are always the ones the service admits.
      '@cases/domain': `${repositoryRoot}libs/domain/src`,
      '@config': `${repositoryRoot}config`,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // ECharts alone is ~600 kB before compression and loads only with the dashboard.
    chunkSizeWarningLimit: 1100,
  },
  server: {
    port: 5173,
    fs: { allow: [repositoryRoot] },
    proxy: Object.fromEntries(
      ['/api', '/docs', '/health'].map((path) => [
        path,
        { target: process.env.CONSOLE_API_TARGET ?? 'http://localhost:3000', changeOrigin: true },
      ]),
    ),
  },
});
