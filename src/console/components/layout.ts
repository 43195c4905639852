import { Grid } from 'antd'
import { useLayoutEffect, useRef, useState, type RefObject } from 'react'

/** True at the desk (md, 768 px, and up); false on a handheld, where fixed columns would crowd the row. */
export function useDesk(): boolean {
  return Grid.useBreakpoint().md !== false
}

/**
 * The width of an element, kept up to date: for a table that lays itself out by the room its card
 * has (half a laptop screen is as narrow as a phone), not by the window's breakpoints.
 */
export function useWidth<T extends HTMLElement>(): [RefObject<T | null>, number | undefined] {
  const ref = useRef<T>(null)
  const [width, setWidth] = useState<number>()
  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    setWidth(el.clientWidth)
    const observer = new ResizeObserver(() => setWidth(el.clientWidth))
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  return [ref, width]
}
