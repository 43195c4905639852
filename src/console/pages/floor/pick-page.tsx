/**
 * 拣货 on the handheld (360 px): one step per bin in walking order. Scan the bin, then each item;
 * the screen says which slot the unit goes to. A wrong item is refused with a buzz and a red
 * banner; 缺货 sends the slots still missing the item through the shortage flow.
 */
import { App, Button, Flex, Result, Spin, Tag, Typography } from 'antd'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { Link, useParams } from 'react-router'
import { endpoints } from '../../api/endpoints'
import type { PickItem, PickList } from '../../api/types'
import { feedback, ScanBanner, ScanInput, useWedge } from '../../components/scan'
import { ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'
import { refusalText } from './refusal'

const remaining = (i: PickItem) => i.totalQuantity - i.picked

export function PickPage() {
  const { id = '' } = useParams()
  const i18n = useI18n()
  const { t } = i18n
  const { message, modal } = App.useApp()
  const [list, setList] = useState<PickList | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [index, setIndex] = useState(0)
  const [binOk, setBinOk] = useState(false)
  const [banner, setBanner] = useState<{ kind: 'ok' | 'error' | 'info'; text: string; slot?: number } | null>(
    null,
  )
  const [busy, setBusy] = useState(false)

  const load = useCallback(async () => {
    try {
      setList(await endpoints.pickList(id))
      setError(null)
    } catch (err) {
      setError(err)
    }
  }, [id])
  useEffect(() => void load(), [load])

  // The steps: every bin and item with something left to pick, in walking order.
  const steps = useMemo(() => (list?.items ?? []).filter((i) => remaining(i) > 0), [list])
  const step = steps[Math.min(index, Math.max(steps.length - 1, 0))]
  const needBin = !!step?.bin && !binOk

  const scan = async (code: string) => {
    if (!step || busy) return
    if (needBin) {
      if (code.toUpperCase() === step.bin!.toUpperCase()) {
        feedback('ok')
        setBinOk(true)
        setBanner({ kind: 'info', text: t('floor.pick.scanItem') })
      } else {
        feedback('error')
        setBanner({ kind: 'error', text: t('floor.pick.wrongBin', { expected: step.bin!, scanned: code }) })
      }
      return
    }
    setBusy(true)
    try {
      const r = await endpoints.pickScan(id, code, step.bin ?? undefined)
      feedback('ok')
      setBanner({ kind: 'ok', text: t('floor.pick.putInSlot', { slot: r.slot }), slot: r.slot })
      const next = await endpoints.pickList(id)
      setList(next)
      const same = next.items.find((i) => i.skuId === step.skuId && i.bin === step.bin)
      if (!same || remaining(same) === 0) {
        // Next step: the following bin needs its own scan (unless it is the same bin).
        const left = next.items.filter((i) => remaining(i) > 0)
        const following = left[0]
        setIndex(0)
        setBinOk(!!following && following.bin === step.bin)
      }
    } catch (err) {
      feedback('error')
      setBanner({ kind: 'error', text: refusalText(i18n, err, { code, where: t('floor.scan.inWave') }) })
    } finally {
      setBusy(false)
    }
  }
  useWedge((code) => void scan(code))

  const short = () => {
    if (!step) return
    modal.confirm({
      title: t('floor.pick.short'),
      content: t('floor.pick.shortConfirm', { sku: step.skuCode, bin: step.bin ?? '—' }),
      okText: t('common.confirm'),
      cancelText: t('common.cancel'),
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          const r = await endpoints.pickShort(id, step.skuId, step.bin)
          feedback('ok')
          void message.success(t('floor.pick.shortDone', { n: r.orders.length }))
          setBanner(null)
          setBinOk(false)
          setIndex(0)
          await load()
        } catch (err) {
          feedback('error')
          setBanner({ kind: 'error', text: refusalText(i18n, err) })
        }
      },
    })
  }

  if (error) return <ErrorAlert error={error} onRetry={() => void load()} />
  if (!list)
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    )

  return (
    <div className="ep-page ep-handheld" data-testid="pick-page">
      <Flex justify="space-between" align="baseline" wrap gap={4}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('floor.pick.title', { code: list.code })}
        </Typography.Title>
        {step && (
          <span className="num ep-muted">{t('floor.pick.step', { n: index + 1, total: steps.length })}</span>
        )}
      </Flex>
      {!step ? (
        <Result
          status="success"
          title={t('floor.pick.done')}
          extra={
            <Link to="/floor/pack">
              <Button type="primary" size="large">
                {t('floor.pick.goPack')}
              </Button>
            </Link>
          }
        />
      ) : (
        <>
          <div className="ep-pick-card" data-testid="pick-step">
            <div className="ep-muted">{t('floor.pick.bin')}</div>
            <div className="ep-pick-bin mono" data-testid="pick-bin">
              {step.bin ?? '—'}
            </div>
            <div className="ep-muted">{t('floor.pick.sku')}</div>
            <div className="ep-pick-sku mono">{step.skuCode}</div>
            <div>{step.skuName}</div>
            <div className="ep-pick-qty num">{t('floor.pick.toPick', { left: remaining(step) })}</div>
            <Flex wrap gap={4} style={{ marginTop: 8 }}>
              {step.slots.map((s) => (
                <Tag
                  key={s.slot}
                  color={s.onHold ? 'red' : s.picked >= s.quantity ? 'green' : 'blue'}
                  style={{
                    fontSize: 15,
                    padding: '2px 8px',
                    textDecoration: s.onHold ? 'line-through' : undefined,
                  }}
                >
                  {t('floor.pick.slotProgress', { slot: s.slot, picked: s.picked, quantity: s.quantity })}
                </Tag>
              ))}
            </Flex>
          </div>
          <ScanInput
            onScan={(c) => void scan(c)}
            label={needBin ? t('floor.pick.scanBin') : t('floor.pick.scanItem')}
            placeholder={needBin ? t('floor.pick.scanBin') : t('floor.pick.scanItem')}
          />
          {banner ? (
            <div data-testid="pick-banner">
              {banner.slot !== undefined ? (
                <div className="ep-slot-flash" data-testid="pick-slot">
                  {banner.text}
                </div>
              ) : (
                <ScanBanner kind={banner.kind}>{banner.text}</ScanBanner>
              )}
            </div>
          ) : (
            <ScanBanner kind="info">
              {needBin ? t('floor.pick.scanBin') : t('floor.pick.scanItem')}
            </ScanBanner>
          )}
          <Flex gap={8} style={{ marginTop: 8 }}>
            <Button size="large" danger block onClick={short} data-testid="pick-short">
              {t('floor.pick.short')}
            </Button>
            <Button
              size="large"
              block
              disabled={index >= steps.length - 1}
              onClick={() => {
                setIndex((n) => n + 1)
                setBinOk(false)
                setBanner(null)
              }}
            >
              {t('floor.pick.skip')}
            </Button>
            <Button
              size="large"
              block
              disabled={index === 0}
              onClick={() => {
                setIndex((n) => Math.max(0, n - 1))
                setBinOk(false)
                setBanner(null)
              }}
            >
              {t('floor.pick.back')}
            </Button>
          </Flex>
        </>
      )}
    </div>
  )
}
