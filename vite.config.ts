import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is one bundle for both transports: Electron loads it from the mentor-studio:// protocol,
// `npm run serve` from http://127.0.0.1:PORT/. Relative asset URLs (base './') work under both.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    // No inline scripts or eval: the CSP is script-src 'self'.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
});
