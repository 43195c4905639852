/**
 * Just enough PDF reading for the label tests: the page's MediaBox, and the Code 128 barcode read
 * back from the filled rectangles of the content stream (bar widths → modules → symbols →
 * checksum → text), the way a scanner reads bars and spaces.
 */
import { CODE128 } from '../../../src/waybills/label.js'

export function mediaBox(pdf: Buffer): [number, number] {
  const m = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(pdf.toString('latin1'))
  if (!m) throw new Error('no MediaBox')
  return [Number(m[1]), Number(m[2])]
}

export function decodeLabelBarcode(pdf: Buffer): string {
  const text = pdf.toString('latin1')
  const stream = /stream\n([\s\S]*?)\nendstream/.exec(text)![1]!
  const rects = [...stream.matchAll(/^([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re f$/gm)].map((r) => ({
    x: Number(r[1]),
    y: Number(r[2]),
    w: Number(r[3]),
    h: Number(r[4]),
  }))
  // The barcode: the largest group of rectangles on one baseline.
  const rows = new Map<string, typeof rects>()
  for (const r of rects) rows.set(`${r.y}|${r.h}`, [...(rows.get(`${r.y}|${r.h}`) ?? []), r])
  const bars = [...rows.values()].sort((a, b) => b.length - a.length)[0]!.sort((a, b) => a.x - b.x)
  const unit = Math.min(...bars.map((b) => b.w))
  const widths: number[] = []
  bars.forEach((b, i) => {
    widths.push(Math.round(b.w / unit))
    const next = bars[i + 1]
    if (next) widths.push(Math.round((next.x - b.x - b.w) / unit))
  })
  const symbols: number[] = []
  for (let i = 0; i < widths.length;) {
    const rest = widths.slice(i, i + 7).join('')
    if (rest === '2331112') {
      symbols.push(106)
      break
    }
    const v = (CODE128 as readonly string[]).indexOf(widths.slice(i, i + 6).join(''))
    if (v < 0) throw new Error(`unreadable symbol at element ${i}`)
    symbols.push(v)
    i += 6
  }
  if (symbols.at(-1) !== 106) throw new Error('no stop symbol')
  const data = symbols.slice(0, -2)
  const check = data.reduce((acc, v, k) => acc + v * (k === 0 ? 1 : k), 0) % 103
  if (check !== symbols.at(-2)) throw new Error('checksum mismatch')
  let set = data[0] === 105 ? 'C' : data[0] === 104 ? 'B' : 'A'
  let out = ''
  for (const v of data.slice(1)) {
    if (set === 'B' && v === 99) set = 'C'
    else if (set === 'C' && v === 100) set = 'B'
    else if (set === 'C') out += String(v).padStart(2, '0')
    else out += String.fromCharCode(v + 32)
  }
  return out
}
