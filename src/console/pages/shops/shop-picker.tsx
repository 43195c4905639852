/**
 * The shop a catalogue or stock-rule screen is about, kept in the URL (?shop=) so a link or a
 * reload opens the same shop; without one, the first shop. The picker names shops by name and channel.
 */
import { Select } from 'antd'
import { useEffect, useState } from 'react'
import { useSearchParams } from 'react-router'
import { endpoints } from '../../api/endpoints'
import type { Shop } from '../../api/types'
import { useI18n } from '../../i18n'

export function useShopParam(): {
  shops: Shop[] | null
  shop: Shop | null
  setShop: (id: string) => void
  error: unknown
} {
  const [params, setParams] = useSearchParams()
  const [shops, setShops] = useState<Shop[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    endpoints.shops().then((p) => setShops(p.items), setError)
  }, [])
  const id = params.get('shop')
  const shop = shops?.find((s) => s.id === id) ?? shops?.[0] ?? null
  return {
    shops,
    shop,
    error,
    setShop: (next) => setParams({ shop: next }),
  }
}

export function ShopPicker({
  shops,
  shop,
  onChange,
}: {
  shops: Shop[]
  shop: Shop | null
  onChange: (id: string) => void
}) {
  const { t } = useI18n()
  return (
    <Select
      aria-label={t('shops.cat.shop')}
      style={{ minWidth: 220, maxWidth: '100%' }}
      value={shop?.id}
      placeholder={t('shops.cat.pickShop')}
      onChange={onChange}
      showSearch
      optionFilterProp="label"
      options={shops.map((s) => ({
        value: s.id,
        label: t('shops.fmt.paren', { a: s.name, b: t(`channels.${s.channel}`) }),
      }))}
    />
  )
}
