/**
 * The console's build: src/console → dist/console, served by the API under /app/. Handheld
 * WebViews can be old, hence the conservative target.
 */
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: ['chrome87', 'safari14'],
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
  },
})
