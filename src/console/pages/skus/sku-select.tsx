/** A SKU picked by searching its code or name (GET /skus?q=, prefix on code and barcode). */
import { Select } from 'antd'
import { useEffect, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { Sku } from '../../api/types'

export function SkuSelect({
  value,
  onChange,
  placeholder,
  exclude,
  style,
  ariaLabel,
}: {
  /** The SKU code. */
  value?: string | undefined
  onChange?: (code: string | undefined) => void
  placeholder?: string
  exclude?: string
  style?: React.CSSProperties
  ariaLabel?: string
}) {
  const [text, setText] = useState('')
  const [options, setOptions] = useState<Sku[]>([])
  useEffect(() => {
    let live = true
    const timer = setTimeout(() => {
      endpoints.skus({ ...(text.trim() ? { q: text.trim() } : {}), limit: 20 }).then(
        (p) => live && setOptions(p.items),
        () => live && setOptions([]),
      )
    }, 200)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [text])
  const list = options.filter((s) => s.code !== exclude)
  return (
    <Select
      showSearch
      allowClear
      value={value}
      onChange={onChange}
      filterOption={false}
      onSearch={setText}
      placeholder={placeholder}
      style={{ minWidth: 220, ...style }}
      aria-label={ariaLabel}
      options={[
        ...(value && !list.some((s) => s.code === value) ? [{ value, label: value }] : []),
        ...list.map((s) => ({
          value: s.code,
          label: (
            <span>
              <span className="mono">{s.code}</span> <span className="ep-muted">{s.name}</span>
            </span>
          ),
        })),
      ]}
    />
  )
}
