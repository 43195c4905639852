/** Map one platform SKU to one of our SKUs by hand: search by code or name, pick, save. */
import { Modal, Select, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { shopApi, type ListingSku, type SkuOption } from '../../api/shops'
import { ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'

export function MapModal({
  listing,
  onClose,
  onMapped,
}: {
  listing: ListingSku | null
  onClose: () => void
  onMapped: (code: string) => void
}) {
  const { t } = useI18n()
  const [q, setQ] = useState('')
  const [options, setOptions] = useState<SkuOption[]>([])
  const [picked, setPicked] = useState<string | undefined>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    if (!listing) return
    setError(null)
    setQ('')
    const preset = listing.mapping ?? listing.suggested
    setPicked(preset?.skuId)
    setOptions(preset ? [{ id: preset.skuId, code: preset.skuCode, name: preset.skuName }] : [])
  }, [listing])

  useEffect(() => {
    if (!listing) return
    let live = true
    const timer = setTimeout(() => {
      shopApi.skus(q || listing.code || '').then(
        (p) => live && setOptions((prev) => mergeOptions(p.items, prev)),
        () => undefined,
      )
    }, 200)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [q, listing])

  const save = async () => {
    if (!listing || !picked) return
    setSaving(true)
    try {
      const r = await shopApi.mapListing(listing.id, picked)
      onMapped(r.mapping?.skuCode ?? '')
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open={!!listing}
      title={t('shops.cat.mapTitle')}
      onCancel={onClose}
      onOk={() => void save()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !picked, loading: saving }}
      destroyOnHidden
    >
      {listing && (
        <>
          <Typography.Paragraph>
            {listing.title}
            {listing.specText ? ` ${listing.specText}` : ''}
            {listing.code && (
              <>
                {' · '}
                <span className="mono">{listing.code}</span>
              </>
            )}
          </Typography.Paragraph>
          <Select
            showSearch
            autoFocus
            style={{ width: '100%' }}
            aria-label={t('shops.cat.mapSearch')}
            placeholder={t('shops.cat.mapSearch')}
            filterOption={false}
            onSearch={setQ}
            value={picked}
            onChange={setPicked}
            options={options.map((o) => ({ value: o.id, label: `${o.code} ${o.name}` }))}
          />
          <div style={{ marginTop: 12 }}>
            <ErrorAlert error={error} />
          </div>
        </>
      )}
    </Modal>
  )
}

const mergeOptions = (found: SkuOption[], prev: SkuOption[]) => {
  const ids = new Set(found.map((o) => o.id))
  return [...found, ...prev.filter((o) => !ids.has(o.id)).slice(0, 1)]
}
