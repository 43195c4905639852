export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = out.get(k)
    if (list) list.push(item)
    else out.set(k, [item])
  }
  return out
}

export function keyBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T> {
  const out = new Map<K, T>()
  for (const item of items) out.set(key(item), item)
  return out
}

export function uniq<T>(items: Iterable<T>): T[] {
  return [...new Set(items)]
}
