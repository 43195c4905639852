/**
 * A list read page by page with the API's cursors ({ items, next }): a stack of cursors gives
 * "previous"; a change of filters (deps) starts again from the first page.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Page } from '../api/adapt'

export interface CursorList<T> {
  items: T[]
  loading: boolean
  error: unknown
  /** 1-based. */
  page: number
  limit: number
  hasNext: boolean
  next: () => void
  prev: () => void
  setLimit: (limit: number) => void
  reload: () => void
}

export function useCursorList<T>(
  fetchPage: (cursor: string | undefined, limit: number) => Promise<Page<T>>,
  deps: readonly unknown[],
  initialLimit = 20,
): CursorList<T> {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  const [limit, setLimitState] = useState(initialLimit)
  const [items, setItems] = useState<T[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  const fetchRef = useRef(fetchPage)
  fetchRef.current = fetchPage

  // Filters changed: back to the first page.
  useEffect(() => setCursors([undefined]), deps)

  const cursor = cursors[cursors.length - 1]
  useEffect(() => {
    let live = true
    setLoading(true)
    fetchRef
      .current(cursor, limit)
      .then((p) => {
        if (!live) return
        setItems(p.items)
        setNextCursor(p.next)
        setError(null)
      })
      .catch((err: unknown) => live && setError(err))
      .finally(() => live && setLoading(false))
    return () => {
      live = false
    }
  }, [cursors, cursor, limit, tick])

  return {
    items,
    loading,
    error,
    page: cursors.length,
    limit,
    hasNext: nextCursor !== null,
    next: useCallback(() => nextCursor && setCursors((c) => [...c, nextCursor]), [nextCursor]),
    prev: useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), []),
    setLimit: useCallback((l: number) => {
      setLimitState(l)
      setCursors([undefined])
    }, []),
    reload: useCallback(() => setTick((n) => n + 1), []),
  }
}
