/**
 * The raw platform versions of an order: the list, and two of them side by side with the lines
 * that differ marked. For a conflicting update (two versions at the same platform time) a person
 * picks the one that wins.
 */
import { App, Button, Col, Modal, Row, Select, Table, Tag, Typography } from 'antd'
import { useMemo, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { OrderVersion } from '../../api/types'
import { errorMessage } from '../../components/errors'
import { Time } from '../../components/format'
import { useMe } from '../../app/session'
import { formatTime } from '../../format/time'
import { useI18n } from '../../i18n'
import { outcomeText } from './outcome'

/** Pretty-printed JSON, or the text as it came when it is not JSON (malformed payloads are kept verbatim). */
function pretty(payload: string): string[] {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2).split('\n')
  } catch {
    return payload.split('\n')
  }
}

const DIFF = {
  maxHeight: 420,
  overflow: 'auto',
  fontSize: 13,
  lineHeight: 1.5,
  background: '#fafafa',
  border: '1px solid #f0f0f0',
  padding: 8,
  margin: '0 0 8px',
} as const
/** Changed lines: a tinted background and a bar, so colour is not the only signal. */
const CHANGED = { background: '#fff1b8', boxShadow: 'inset 3px 0 0 #d48806' } as const

export function VersionList({
  versions,
  currentId,
  onCompare,
}: {
  versions: OrderVersion[]
  currentId: string | null | undefined
  onCompare: () => void
}) {
  const { t, maybe } = useI18n()
  return (
    <>
      <Table<OrderVersion>
        size="small"
        rowKey="id"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={versions}
        columns={[
          {
            title: t('orders.versions.platformUpdatedAt'),
            dataIndex: 'platformUpdatedAt',
            render: (v: string) => <Time value={v} />,
          },
          {
            title: t('orders.versions.receivedAt'),
            dataIndex: 'receivedAt',
            render: (v: string) => <Time value={v} />,
          },
          {
            title: t('orders.versions.source'),
            dataIndex: 'source',
            render: (v: string) => maybe(`orders.versions.src.${v}`) ?? v,
          },
          {
            title: t('orders.versions.outcome'),
            dataIndex: 'outcome',
            render: (v: string | null, r) => (
              <>
                {v ? (maybe(`orders.versions.result.${v}`) ?? v) : ''}
                {r.id === currentId && (
                  <Tag color="blue" style={{ marginInlineStart: 8 }}>
                    {t('orders.versions.current')}
                  </Tag>
                )}
              </>
            ),
          },
        ]}
      />
      {versions.length > 1 && (
        <Button size="small" style={{ marginTop: 8 }} onClick={onCompare} data-testid="compare-versions">
          {t('orders.action.compare')}
        </Button>
      )}
    </>
  )
}

export function CompareVersions({
  orderId,
  versions,
  initial,
  pickable,
  open,
  onClose,
  onPicked,
}: {
  orderId: string
  versions: OrderVersion[]
  /** The two shown first (a conflict's pair); otherwise the newest two. */
  initial?: [string, string] | undefined
  pickable: boolean
  open: boolean
  onClose: () => void
  onPicked: () => void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const { message, modal } = App.useApp()
  const zone = useMe().merchant.timezone
  const newest = versions.slice(-2).map((v) => v.id)
  const [left, setLeft] = useState<string | undefined>(initial?.[0] ?? newest[0])
  const [right, setRight] = useState<string | undefined>(initial?.[1] ?? newest[1])
  const [busy, setBusy] = useState(false)
  const byId = useMemo(() => new Map(versions.map((v) => [v.id, v])), [versions])
  const a = pretty(byId.get(left ?? '')?.payload ?? '')
  const b = pretty(byId.get(right ?? '')?.payload ?? '')
  const options = versions.map((v, i) => ({
    value: v.id,
    label: `#${i + 1} ${formatTime(v.platformUpdatedAt, zone, { seconds: true })} · ${i18n.maybe(`orders.versions.src.${v.source}`) ?? v.source}`,
  }))

  const pick = async (versionId: string) => {
    setBusy(true)
    try {
      const r = await endpoints.pickVersion(orderId, versionId)
      void message.success(`${t('orders.versions.picked')}（${outcomeText(i18n, r.rerun)}）`)
      onPicked()
      onClose()
    } catch (err) {
      modal.error({ title: errorMessage(i18n, err) })
    } finally {
      setBusy(false)
    }
  }

  const column = (lines: string[], other: string[], id: string | undefined, label: string) => {
    const v = byId.get(id ?? '')
    return (
      <Col xs={24} md={12}>
        <Typography.Text strong>{label}</Typography.Text>
        <Select
          size="small"
          value={id}
          onChange={(x) => (label === t('orders.versions.left') ? setLeft(x) : setRight(x))}
          options={options}
          style={{ width: '100%', margin: '6px 0' }}
          aria-label={label}
        />
        {v && (
          <div className="ep-muted" style={{ marginBottom: 6 }}>
            {t('orders.versions.platformUpdatedAt')}：<Time value={v.platformUpdatedAt} />
          </div>
        )}
        <pre className="mono" style={DIFF} data-testid="version-payload">
          {lines.map((line, i) => (
            <div key={i} style={line !== other[i] ? CHANGED : undefined}>
              {line || ' '}
            </div>
          ))}
        </pre>
        {pickable && id && (
          <Button type="primary" loading={busy} onClick={() => void pick(id)} block>
            {t('orders.versions.pick')}
          </Button>
        )}
      </Col>
    )
  }

  return (
    <Modal
      open={open}
      title={t('orders.versions.compareTitle')}
      onCancel={onClose}
      footer={null}
      width={1100}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('orders.versions.diffHint')}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        {column(a, b, left, t('orders.versions.left'))}
        {column(b, a, right, t('orders.versions.right'))}
      </Row>
    </Modal>
  )
}
