/**
 * The scan field every screen uses: a keyboard-wedge scanner types the code fast and ends it with
 * Enter; the code goes to GET /skus/resolve (a SKU code or any of its barcodes) and the SKU found
 * comes back to the screen. Scanner mode keeps the handheld's soft keyboard closed
 * (inputmode="none"); 手动输入 opens it. A repeat of the same code within the blanking window (a
 * DataWedge double send, CR+LF) counts once. An unknown code is a red full-width banner naming
 * what was scanned, with a buzz.
 */
import { BarcodeOutlined, EditOutlined } from '@ant-design/icons'
import { Alert, Button, Input, Space, type InputRef } from 'antd'
import { useEffect, useRef, useState } from 'react'
import { ApiError } from '../api/client'
import { endpoints } from '../api/endpoints'
import type { ScanHit } from '../api/types'
import { useI18n } from '../i18n'
import { errorMessage } from './errors'

const BLANKING_MS = 150

declare global {
  interface Window {
    /** Tests count the error buzzes through this hook. */
    entrepotScanError?: () => void
  }
}

/** A short low buzz, where the browser allows sound. */
export function buzz(): void {
  window.entrepotScanError?.()
  try {
    const ctx = new AudioContext()
    const osc = ctx.createOscillator()
    osc.type = 'square'
    osc.frequency.value = 220
    osc.connect(ctx.destination)
    osc.start()
    osc.stop(ctx.currentTime + 0.25)
  } catch {
    // no sound here; the banner says it
  }
}

export function ScanInput({
  onSku,
  disabled,
  autoFocus = true,
  testId = 'scan-input',
  placeholder,
}: {
  onSku: (hit: ScanHit) => void | Promise<void>
  disabled?: boolean
  autoFocus?: boolean
  testId?: string
  placeholder?: string
}) {
  const i18n = useI18n()
  const { t } = i18n
  const ref = useRef<InputRef>(null)
  const [value, setValue] = useState('')
  const [typing, setTyping] = useState(false)
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null)
  const last = useRef<{ code: string; at: number } | null>(null)

  useEffect(() => {
    if (autoFocus && !disabled) ref.current?.focus({ preventScroll: true })
  }, [autoFocus, disabled])

  const submit = async (raw: string) => {
    // Wedge prefixes and suffixes: whitespace and control characters around the code.
    const code = [...raw]
      .filter((c) => c.charCodeAt(0) >= 0x20)
      .join('')
      .trim()
    setValue('')
    if (!code) return
    const now = performance.now()
    if (last.current && last.current.code === code && now - last.current.at < BLANKING_MS) return
    last.current = { code, at: now }
    setBusy(true)
    try {
      const hit = await endpoints.resolveScan(code)
      setResult({ ok: true, text: t('stock.scan.found', { code: hit.sku.code, name: hit.sku.name }) })
      await onSku(hit)
    } catch (err) {
      buzz()
      const unknown = err instanceof ApiError && err.reason === 'scan_unknown'
      setResult({ ok: false, text: unknown ? t('stock.scan.unknown', { code }) : errorMessage(i18n, err) })
    } finally {
      setBusy(false)
      ref.current?.focus({ preventScroll: true })
    }
  }

  return (
    <div style={{ width: '100%' }}>
      <Space.Compact style={{ width: '100%' }}>
        <Input
          ref={ref}
          size="large"
          value={value}
          disabled={disabled}
          prefix={<BarcodeOutlined />}
          placeholder={placeholder ?? t('stock.scan.placeholder')}
          inputMode={typing ? 'text' : 'none'}
          autoComplete="off"
          spellCheck={false}
          data-testid={testId}
          aria-label={placeholder ?? t('stock.scan.placeholder')}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={(e) => {
            // The IME composes Chinese on Enter: only a finished composition is a scan.
            if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
              e.preventDefault()
              void submit(value)
            }
          }}
        />
        <Button
          size="large"
          icon={typing ? <BarcodeOutlined /> : <EditOutlined />}
          onClick={() => {
            setTyping((x) => !x)
            ref.current?.focus()
          }}
          aria-label={typing ? t('stock.scan.scanner') : t('stock.scan.keyboard')}
          loading={busy}
        />
      </Space.Compact>
      {result && (
        <Alert
          style={{ marginTop: 8, fontSize: 16 }}
          type={result.ok ? 'success' : 'error'}
          showIcon
          message={result.text}
          data-testid={result.ok ? 'scan-ok' : 'scan-error'}
          role={result.ok ? 'status' : 'alert'}
        />
      )}
    </div>
  )
}
