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

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

export const quantile = (xs: readonly number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!

/**
 * The engine and its raw baseline in turn, round after round (baseline, engine, baseline, engine …),
 * so that load drifting on a shared machine hits both alike; the ratio is the median of the rounds'
 * ratios (throughput: baseline ms ÷ engine ms for the same work).
 */
export async function pairedRounds(
  rounds: number,
  round: (i: number) => Promise<{ baselineMs: number; engineMs: number }>,
): Promise<{ ratio: number; baselineMs: number[]; engineMs: number[] }> {
  const baselineMs: number[] = []
  const engineMs: number[] = []
  for (let i = 0; i < rounds; i++) {
    const r = await round(i)
    baselineMs.push(r.baselineMs)
    engineMs.push(r.engineMs)
  }
  return { ratio: median(baselineMs.map((b, i) => b / engineMs[i]!)), baselineMs, engineMs }
}
