#!/usr/bin/env node
// The package's bin: runs the TypeScript CLI through tsx's ESM loader (no build step needed).
import { register } from 'tsx/esm/api'

register()
await import('./main.ts')
