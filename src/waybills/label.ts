/**
 * Shipping labels the hub renders itself (SF route labels, international labels), as a small
 * hand-written PDF: one page at the label's real size (76×130 mm 一联单, 100×180 mm 二联/三联,
 * 4×6 in), the waybill number as a Code 128 barcode drawn with filled rectangles (subset C for
 * digit runs, B otherwise), text in Helvetica and, for Chinese, the non-embedded Adobe-GB1 font
 * STSong-Light (UniGB-UCS2-H) every PDF reader supplies. No dependency, nothing compressed.
 */
import type { LabelData, Party } from '../../connectors/waybill/types.js'

export const LABEL_SIZES = ['76x130', '100x180', '4x6'] as const
export type LabelSize = (typeof LABEL_SIZES)[number]

const MM = 72 / 25.4
/** Page size in PDF points. */
export const PAGE_POINTS: Readonly<Record<LabelSize, readonly [number, number]>> = {
  '76x130': [76 * MM, 130 * MM],
  '100x180': [100 * MM, 180 * MM],
  '4x6': [4 * 72, 6 * 72],
}

// ------------------------------------------------------------------------------------------------ Code 128
export { CODE128, code128Bars, code128Values } from '../lib/code128.js'
import { code128Bars } from '../lib/code128.js'

// ------------------------------------------------------------------------------------------------ PDF

const num = (n: number) => (Math.round(n * 100) / 100).toString()
const ascii = (s: string) => /^[\x20-\x7e]*$/.test(s)
const pdfString = (s: string) => `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`
/** UCS-2 big-endian hex for the CJK font (characters beyond the BMP become '?'). */
const ucs2Hex = (s: string) =>
  `<${[...s].map((c) => (c.codePointAt(0)! > 0xffff ? 0x3f : c.codePointAt(0)!).toString(16).padStart(4, '0')).join('')}>`

class Page {
  readonly ops: string[] = []
  constructor(
    readonly width: number,
    readonly height: number,
  ) {}
  /** Text at (x, y from the top), size pt. */
  text(x: number, top: number, size: number, s: string): void {
    if (!s) return
    const y = this.height - top - size
    const [font, str] = ascii(s) ? ['F1', pdfString(s)] : ['F2', ucs2Hex(s)]
    this.ops.push(`BT /${font} ${num(size)} Tf ${num(x)} ${num(y)} Td ${str} Tj ET`)
  }
  rect(x: number, top: number, w: number, h: number): void {
    this.ops.push(`${num(x)} ${num(this.height - top - h)} ${num(w)} ${num(h)} re f`)
  }
  line(top: number): void {
    this.ops.push(`0.8 w 6 ${num(this.height - top)} m ${num(this.width - 6)} ${num(this.height - top)} l S`)
  }
}

/** Split text into lines of at most `max` display units (CJK counts 2). */
function wrap(s: string, max: number): string[] {
  const lines: string[] = []
  let cur = ''
  let w = 0
  for (const c of s) {
    const cw = c.charCodeAt(0) > 0x2e80 ? 2 : 1
    if (w + cw > max) {
      lines.push(cur)
      cur = ''
      w = 0
    }
    cur += c
    w += cw
  }
  if (cur) lines.push(cur)
  return lines
}

const addressLine = (p: Party) =>
  [
    p.address.country && p.address.country !== 'CN' ? p.address.country : '',
    p.address.province,
    p.address.city,
    p.address.district,
    p.address.town ?? '',
    p.address.detail,
    p.address.postcode ?? '',
  ]
    .filter(Boolean)
    .join(' ')

/** The label as PDF bytes. */
export function renderLabelPdf(label: LabelData, size: LabelSize): Buffer {
  const [W, H] = PAGE_POINTS[size]
  const p = new Page(W, H)
  const u = W / 216 // scale: 1 at 76 mm wide
  const m = 8 * u
  let y = m
  p.text(m, y, 11 * u, label.carrierName)
  if (label.service) p.text(W - m - 60 * u, y, 9 * u, label.service)
  y += 16 * u
  p.line(y)
  y += 4 * u
  if (label.routeCode) {
    p.text(m, y, 22 * u, label.routeCode)
    y += 28 * u
  }
  // The barcode: full width less the margins, at a whole-point-friendly module width.
  const code = code128Bars(label.trackingNumber)
  const module = (W - 2 * m) / code.modules
  const barH = 48 * u
  for (const [x, w] of code.bars) p.rect(m + x * module, y, w * module, barH)
  y += barH + 3 * u
  p.text(m + 10 * module, y, 10 * u, label.trackingNumber)
  y += 16 * u
  p.line(y)
  y += 4 * u
  const block = (title: string, party: Party, big: boolean) => {
    const fs = (big ? 10 : 8) * u
    p.text(m, y, 7 * u, title)
    y += 9 * u
    p.text(m, y, fs, `${party.name}  ${party.mobile}`)
    y += fs + 3 * u
    for (const l of wrap(addressLine(party), Math.floor((W - 2 * m) / (fs * 0.52)))) {
      p.text(m, y, fs, l)
      y += fs + 2 * u
    }
    y += 3 * u
  }
  block('TO 收', label.recipient, true)
  p.line(y)
  y += 4 * u
  block('FROM 寄', label.sender, false)
  p.line(y)
  y += 4 * u
  if (label.originCode || label.destCode) {
    p.text(m, y, 9 * u, `${label.originCode ?? ''} -> ${label.destCode ?? ''}`)
    y += 13 * u
  }
  if (label.reference) p.text(m, y, 7 * u, `Ref ${label.reference}`)
  return pdf(p)
}

function pdf(page: Page): Buffer {
  const content = page.ops.join('\n')
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(page.width)} ${num(page.height)}] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>`,
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [7 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 8 0 R /DW 1000 >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ]
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
  const offsets: number[] = []
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'))
    body += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = Buffer.byteLength(body, 'latin1')
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(body, 'latin1')
}
