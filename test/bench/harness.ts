/** What every benchmark returns: its figure, and the ratio against a raw baseline measured in the same run. */
export interface BenchResult {
  name: string
  /** Human-readable figure, e.g. "5,210 orders/s (baseline 14,800 rows/s)". */
  figure: string
  /** Measured ÷ baseline (throughput) or baseline ÷ measured (time); higher is better unless the target says otherwise. */
  ratio: number
  /** The target, e.g. "≥ 0.3" or "≤ 2.0". */
  target: string
  ok: boolean
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint()
  const value = await fn()
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value }
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
