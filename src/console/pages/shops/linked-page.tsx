/**
 * Where the platform sends the merchant back after its authorize page (GET /oauth/:channel/callback
 * redirects here): the shop is linked, or why not — in the merchant's language, with the
 * platform's own words quoted — and what to do next.
 */
import { Button, Result, Spin, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { useNavigate, useSearchParams } from 'react-router'
import { shopApi, type ShopDetail } from '../../api/shops'
import { useI18n } from '../../i18n'

const REASONS = ['credentials_rejected', 'upstream_unavailable', 'conflict'] as const

export function LinkedPage() {
  const { t, maybe } = useI18n()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const shopId = params.get('shop')
  const error = params.get('error')
  const [shop, setShop] = useState<ShopDetail | null>(null)
  const [loading, setLoading] = useState(!!shopId)

  useEffect(() => {
    if (!shopId) return
    shopApi
      .shop(shopId)
      .then(setShop, () => setShop(null))
      .finally(() => setLoading(false))
  }, [shopId])

  const retry = () =>
    shopId &&
    shopApi.authorize(shopId).then(
      (r) => window.location.assign(r.authorizeUrl),
      () => void navigate('/shops'),
    )

  if (loading) return <Spin style={{ display: 'block', margin: 48 }} />
  if (!error)
    return (
      <Result
        status="success"
        title={t('shops.linked.okTitle')}
        subTitle={t('shops.linked.ok', { name: shop?.name ?? '' })}
        extra={[
          <Button key="cat" type="primary" onClick={() => void navigate(`/catalogue?shop=${shopId ?? ''}`)}>
            {t('shops.linked.toCatalogue')}
          </Button>,
          <Button key="shops" onClick={() => void navigate('/shops')}>
            {t('shops.linked.toShops')}
          </Button>,
        ]}
      />
    )
  const reason = params.get('reason')
  const known =
    reason === 'oauth_state' ? reason : (REASONS as readonly string[]).includes(error) ? error : 'other'
  const platform = params.get('message')
  return (
    <Result
      status="error"
      title={t('shops.linked.failTitle')}
      subTitle={
        <>
          <div>
            {shop ? `「${shop.name}」` : ''}
            {maybe(`shops.linked.reason.${known}`)}
          </div>
          {platform && known !== 'oauth_state' && (
            <Typography.Text type="secondary" data-testid="platform-answer">
              {t('shops.linked.platformSaid', { message: platform })}
            </Typography.Text>
          )}
        </>
      }
      extra={[
        ...(shopId
          ? [
              <Button key="retry" type="primary" onClick={() => void retry()}>
                {t('shops.linked.retry')}
              </Button>,
            ]
          : []),
        <Button key="shops" onClick={() => void navigate('/shops')}>
          {t('shops.linked.toShops')}
        </Button>,
      ]}
    />
  )
}
