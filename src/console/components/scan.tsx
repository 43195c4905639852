/**
 * Scanner input on the floor (console.md §3.1). A keyboard-wedge scanner types fast and ends with
 * Enter (or Tab): the scan field takes it whatever the speed (a person may key a code by hand), and
 * a page-wide listener catches a fast burst when the focus is elsewhere (after a tap on a button).
 * The field has inputmode="none" so a handheld's soft keyboard stays away, and it is never focused
 * again mid-scan. One physical scan is one event: an empty Enter (the LF of CR+LF) does nothing.
 * Feedback: a high short beep for a good scan, a low long buzz for a refused one, a vibration.
 */
import { Alert, Input, type InputRef } from 'antd'
import { useEffect, useRef, useState, type ReactNode } from 'react'

const MAX_GAP_MS = 60
const MIN_LENGTH = 3

declare global {
  interface Window {
    /** Tests read the sounds played (the browser suite sets it to []). */
    __epSounds?: string[]
  }
}

let audio: AudioContext | null = null

/** A beep (ok) or a buzz (error), and a vibration on a handheld. */
export function feedback(kind: 'ok' | 'error'): void {
  window.__epSounds?.push(kind)
  try {
    audio ??= new AudioContext()
    void audio.resume()
    const osc = audio.createOscillator()
    const gain = audio.createGain()
    osc.type = kind === 'ok' ? 'sine' : 'square'
    osc.frequency.value = kind === 'ok' ? 1760 : 220
    gain.gain.value = 0.08
    osc.connect(gain).connect(audio.destination)
    const now = audio.currentTime
    osc.start(now)
    osc.stop(now + (kind === 'ok' ? 0.08 : 0.45))
  } catch {
    // No audio device: the banner still says it.
  }
  navigator.vibrate?.(kind === 'ok' ? 40 : [120, 60, 120])
}

const editable = (t: EventTarget | null) =>
  t instanceof HTMLElement &&
  (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) &&
  !t.dataset.enableBarcode

/** Fast bursts ending with Enter or Tab typed anywhere but in a field: a scan. */
export function useWedge(onScan: (code: string) => void): void {
  const handler = useRef(onScan)
  handler.current = onScan
  useEffect(() => {
    let buffer = ''
    let last = 0
    const listener = (e: KeyboardEvent) => {
      if (editable(e.target)) return
      const now = e.timeStamp
      if (e.key === 'Enter' || e.key === 'Tab') {
        if (buffer.length >= MIN_LENGTH && now - last <= MAX_GAP_MS * 3) {
          e.preventDefault()
          handler.current(buffer)
        }
        buffer = ''
        return
      }
      if (e.key.length !== 1 || e.ctrlKey || e.metaKey) return
      buffer = now - last > MAX_GAP_MS ? e.key : buffer + e.key
      last = now
    }
    document.addEventListener('keydown', listener, true)
    return () => document.removeEventListener('keydown', listener, true)
  }, [])
}

/** The scan field: large, no soft keyboard, Enter or Tab ends a code. */
export function ScanInput({
  onScan,
  placeholder,
  label,
  autoFocus = true,
  disabled,
}: {
  onScan: (code: string) => void
  placeholder: string
  label: string
  autoFocus?: boolean
  disabled?: boolean
}) {
  const ref = useRef<InputRef>(null)
  const [value, setValue] = useState('')
  useEffect(() => {
    if (autoFocus && !disabled) ref.current?.focus({ preventScroll: true })
  }, [autoFocus, disabled])
  return (
    <Input
      ref={ref}
      size="large"
      inputMode="none"
      autoComplete="off"
      spellCheck={false}
      aria-label={label}
      placeholder={placeholder}
      disabled={disabled}
      data-testid="scan-input"
      className="ep-scan-input"
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onKeyDown={(e) => {
        if (e.key !== 'Enter' && e.key !== 'Tab') return
        e.preventDefault()
        const code = value.trim()
        setValue('')
        if (code) onScan(code)
      }}
    />
  )
}

/** The last scan's outcome: full width, green or red, big text. */
export function ScanBanner({ kind, children }: { kind: 'ok' | 'error' | 'info'; children: ReactNode }) {
  return (
    <Alert
      role={kind === 'error' ? 'alert' : 'status'}
      data-testid={`scan-${kind}`}
      type={kind === 'ok' ? 'success' : kind === 'error' ? 'error' : 'info'}
      showIcon
      message={<span style={{ fontSize: 18, fontWeight: 600 }}>{children}</span>}
      style={{ marginBlock: 8 }}
    />
  )
}
