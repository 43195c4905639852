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

/** Bar/space widths of symbols 0–106 (106 = stop, 7 elements). */
export const CODE128 = [
  '212222',
  '222122',
  '222221',
  '121223',
  '121322',
  '131222',
  '122213',
  '122312',
  '132212',
  '221213',
  '221312',
  '231212',
  '112232',
  '122132',
  '122231',
  '113222',
  '123122',
  '123221',
  '223211',
  '221132',
  '221231',
  '213212',
  '223112',
  '312131',
  '311222',
  '321122',
  '321221',
  '312212',
  '322112',
  '322211',
  '212123',
  '212321',
  '232121',
  '111323',
  '131123',
  '131321',
  '112313',
  '132113',
  '132311',
  '211313',
  '231113',
  '231311',
  '112133',
  '112331',
  '132131',
  '113123',
  '113321',
  '133121',
  '313121',
  '211331',
  '231131',
  '213113',
  '213311',
  '213131',
  '311123',
  '311321',
  '331121',
  '312113',
  '312311',
  '332111',
  '314111',
  '221411',
  '431111',
  '111224',
  '111422',
  '121124',
  '121421',
  '141122',
  '141221',
  '112214',
  '112412',
  '122114',
  '122411',
  '142112',
  '142211',
  '241211',
  '221114',
  '413111',
  '241112',
  '134111',
  '111242',
  '121142',
  '121241',
  '114212',
  '124112',
  '124211',
  '411212',
  '421112',
  '421211',
  '212141',
  '214121',
  '412121',
  '111143',
  '111341',
  '131141',
  '114113',
  '114311',
  '411113',
  '411311',
  '113141',
  '114131',
  '311141',
  '411131',
  '211412',
  '211214',
  '211232',
  '2331112',
] as const
const START_B = 104
const START_C = 105
const CODE_B = 100
const CODE_C = 99
const STOP = 106

const digitRun = (s: string, i: number) => {
  let n = 0
  while (i + n < s.length && s.charCodeAt(i + n) >= 48 && s.charCodeAt(i + n) <= 57) n++
  return n
}

/** Symbol values of `text` (printable ASCII): start, data, checksum, stop. */
export function code128Values(text: string): number[] {
  if (!/^[\x20-\x7e]+$/.test(text)) throw new Error('Code 128 here takes printable ASCII only')
  const out: number[] = []
  let set: 'B' | 'C'
  let i = 0
  const lead = digitRun(text, 0)
  if (lead >= 4) {
    set = 'C'
    out.push(START_C)
  } else {
    set = 'B'
    out.push(START_B)
  }
  while (i < text.length) {
    const run = digitRun(text, i)
    if (set === 'C') {
      if (run >= 2) {
        out.push(Number(text.slice(i, i + 2)))
        i += 2
        continue
      }
      out.push(CODE_B)
      set = 'B'
    }
    // Switch to C for a run of 4+ digits (an even number of them; an odd leading digit stays in B).
    if (run >= 4) {
      if (run % 2 === 1) {
        out.push(text.charCodeAt(i) - 32)
        i += 1
      }
      out.push(CODE_C)
      set = 'C'
      continue
    }
    out.push(text.charCodeAt(i) - 32)
    i += 1
  }
  const check = out.reduce((acc, v, k) => acc + v * (k === 0 ? 1 : k), 0) % 103
  out.push(check, STOP)
  return out
}

/** The bars as [start module, width in modules] pairs, after a 10-module quiet zone. */
export function code128Bars(text: string): { bars: [number, number][]; modules: number } {
  const bars: [number, number][] = []
  let x = 10
  for (const v of code128Values(text)) {
    const widths = CODE128[v]!
    for (let k = 0; k < widths.length; k++) {
      const w = Number(widths[k])
      if (k % 2 === 0) bars.push([x, w])
      x += w
    }
  }
  return { bars, modules: x + 10 }
}

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
