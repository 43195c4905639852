/**
 * JSON as the Chinese platforms write it: 19-digit ids and PDD's yuan amounts as bare numbers,
 * produced from their exact text so they never pass through a JS number.
 */
export class Bare {
  constructor(readonly text: string) {}
}

export type Wire = string | number | boolean | null | Bare | readonly Wire[] | { readonly [k: string]: Wire }

export function wire(v: Wire): string {
  if (v instanceof Bare) return v.text
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${(v as readonly Wire[]).map(wire).join(',')}]`
  return `{${Object.entries(v as { readonly [k: string]: Wire })
    .map(([k, x]) => `${JSON.stringify(k)}:${wire(x)}`)
    .join(',')}}`
}

/** Platforms keep times to the second. */
export const wholeSecond = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000)
