// Build, dev-server and unit-test configuration of the Peerdesk web UI: a static
// SPA that Tauri loads from ui/dist (relative base, WebKitGTK-friendly target).
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

const mock = process.env.VITE_PEERDESK_MOCK === '1' ? '1' : '';

export default defineConfig({
  base: './',
  plugins: [svelte(), svelteTesting()],
  resolve: {
    alias: { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) },
  },
  // Pinned so the mock-backend branch folds to a constant and is dropped
  // from a normal build.
  define: { 'import.meta.env.VITE_PEERDESK_MOCK': JSON.stringify(mock) },
  server: { port: 5173, strictPort: true },
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: ['es2021', 'safari15'],
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
  },
});
