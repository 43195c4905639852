/** Code 128 for barcodes drawn as SVG in the browser: the hub's one encoder (src/lib/code128.ts). */
export { code128Widths, encodable } from '../../lib/code128'
