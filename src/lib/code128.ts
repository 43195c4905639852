/**
 * Code 128 for every barcode the hub draws: PDF labels (src/waybills/label.ts) and the console's SVG
 * (pick lists, packing slips). Printable ASCII; a run of four or more digits goes in subset C (two
 * digits a symbol), so tracking numbers stay short enough for a 76 mm label. Pure: no imports.
 */
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

/** Whether Code 128 can carry the text here (printable ASCII only). */
export const encodable = (text: string): boolean => text.length > 0 && /^[\x20-\x7E]+$/.test(text)

/** The module widths, bar first, alternating bar and space, quiet zones not included. */
export function code128Widths(text: string): number[] {
  return code128Values(text).flatMap((v) => [...CODE128[v]!].map(Number))
}
