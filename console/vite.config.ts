import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The console, served by the gateway at /console (gateway/plugins/console.ts). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  // React's production build even when the caller's NODE_ENV is `test` or `development` (jest
  // and npm start build it too), which Vite would otherwise honour.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  // No CDN, no remote font: everything the console loads is in its own build.
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    manifest: true,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
