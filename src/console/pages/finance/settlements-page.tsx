/**
 * 结算导入: pick the shop, upload the statement file as downloaded; the result says what was read,
 * what was new, and shows every rejected row as it was in the file, with the reason. Below, the
 * imports so far, each with its rejected rows and lines.
 */
import { UploadOutlined } from '@ant-design/icons'
import { Alert, Button, Card, Flex, Form, Select, Space, Table, Typography, Upload } from 'antd'
import { useMemo, useState } from 'react'
import { endpoints } from '../../api/endpoints'
import type { ImportReport, RejectedRow, SettlementImport } from '../../api/types'
import { DetailDrawer, Section } from '../../components/detail-drawer'
import { Time } from '../../components/format'
import { CursorPager, ListPage } from '../../components/list-page'
import { EmptyState, ErrorAlert } from '../../components/states'
import { useCursorList } from '../../components/use-cursor-list'
import { useI18n } from '../../i18n'
import { SettlementLinesTable } from './ledger-tables'
import { useShops } from './shared'

/** A statement total in the file's own currency (the file does not name it): 2 decimals, separators. */
function plainAmount(a: string | null, locale: string): string {
  if (a === null) return ''
  return new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'zh-CN', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(a as `${number}`)
}

export function SettlementsPage() {
  const { t, locale } = useI18n()
  const shops = useShops()
  const [shopId, setShopId] = useState<string | undefined>()
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [report, setReport] = useState<ImportReport | null>(null)
  const [missing, setMissing] = useState<'shop' | 'file' | null>(null)
  const [open, setOpen] = useState<SettlementImport | null>(null)
  const shopName = useMemo(() => new Map(shops.map((s) => [s.id, s.name])), [shops])
  const list = useCursorList((cursor, limit) => endpoints.settlementImports({ cursor, limit }), [])

  const upload = async () => {
    if (!shopId) return setMissing('shop')
    if (!file) return setMissing('file')
    setMissing(null)
    setBusy(true)
    setError(null)
    try {
      setReport(await endpoints.importSettlement(shopId, file))
      list.reload()
    } catch (e) {
      setError(e)
      setReport(null)
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <div className="ep-page" style={{ paddingBottom: 0 }}>
        <Card styles={{ body: { padding: 16 } }}>
          <Typography.Title level={4} style={{ marginTop: 0 }}>
            {t('finance.imports.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('finance.imports.intro')}</Typography.Paragraph>
          <Form layout="inline" colon={false} style={{ rowGap: 12 }}>
            <Form.Item
              label={t('finance.imports.shop')}
              validateStatus={missing === 'shop' ? 'error' : undefined}
              help={missing === 'shop' ? t('finance.imports.pickShop') : undefined}
            >
              <Select
                aria-label={t('finance.imports.shop')}
                style={{ width: 220 }}
                placeholder={t('finance.imports.shopPlaceholder')}
                value={shopId}
                onChange={setShopId}
                options={shops.map((s) => ({ value: s.id, label: s.name }))}
              />
            </Form.Item>
            <Form.Item
              label={t('finance.imports.file')}
              validateStatus={missing === 'file' ? 'error' : undefined}
              help={missing === 'file' ? t('finance.imports.pickFile') : undefined}
            >
              <Upload
                maxCount={1}
                accept=".csv,.txt,.tsv,.xls"
                beforeUpload={(f) => {
                  setFile(f)
                  return false
                }}
                onRemove={() => setFile(null)}
                fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
              >
                <Button icon={<UploadOutlined />}>{t('finance.imports.choose')}</Button>
              </Upload>
            </Form.Item>
            <Form.Item>
              <Button type="primary" loading={busy} onClick={() => void upload()}>
                {busy ? t('finance.imports.uploading') : t('finance.imports.upload')}
              </Button>
            </Form.Item>
          </Form>
          <div style={{ marginTop: 12 }}>
            <ErrorAlert error={error} />
          </div>
          {report && <ImportResult report={report} />}
        </Card>
      </div>
      <ListPage<SettlementImport>
        title={t('finance.imports.history')}
        error={list.error}
        onRetry={list.reload}
        table={{
          rowKey: 'id',
          loading: list.loading,
          dataSource: list.items,
          pagination: false,
          locale: { emptyText: <EmptyState text={t('finance.imports.empty')} /> },
          onRow: (r) => ({ onClick: () => setOpen(r), style: { cursor: 'pointer' } }),
          columns: [
            { title: t('finance.imports.at'), key: 'at', render: (_: unknown, r) => <Time value={r.at} /> },
            {
              title: t('finance.imports.shop'),
              key: 'shop',
              render: (_: unknown, r) => shopName.get(r.shopId),
            },
            {
              title: t('finance.imports.filename'),
              key: 'file',
              render: (_: unknown, r) =>
                r.filename ??
                t(r.source === 'api' ? 'finance.imports.sourceApi' : 'finance.imports.sourceFile'),
            },
            {
              title: t('finance.imports.lines'),
              key: 'lines',
              align: 'right',
              render: (_: unknown, r) => <span className="num">{r.lines}</span>,
            },
            {
              title: t('finance.imports.inserted'),
              key: 'ins',
              align: 'right',
              render: (_: unknown, r) => <span className="num">{r.inserted}</span>,
            },
            {
              title: t('finance.imports.rejectedCount'),
              key: 'rej',
              align: 'right',
              render: (_: unknown, r) => (
                <span className="num" style={{ color: r.rejected.length ? '#cf1322' : undefined }}>
                  {r.rejected.length}
                </span>
              ),
            },
            {
              title: t('finance.imports.parsedTotal'),
              key: 'total',
              align: 'right',
              render: (_: unknown, r) => <span className="num">{plainAmount(r.parsedTotal, locale)}</span>,
            },
            {
              title: t('finance.imports.statedTotal'),
              key: 'stated',
              align: 'right',
              render: (_: unknown, r) => (
                <span className="num" style={{ color: r.totalsAgree === false ? '#cf1322' : undefined }}>
                  {plainAmount(r.statedTotal, locale)}
                </span>
              ),
            },
          ],
        }}
        pager={<CursorPager list={list} />}
      />
      {open && (
        <DetailDrawer open onClose={() => setOpen(null)} title={open.filename ?? shopName.get(open.shopId)}>
          {open.rejected.length > 0 && (
            <Section title={t('finance.imports.rejected')}>
              <RejectedTable rows={open.rejected} />
            </Section>
          )}
          <Section title={t('finance.statements.settlement')}>
            <SettlementLinesTable importId={open.id} />
          </Section>
        </DetailDrawer>
      )}
    </>
  )
}

function ImportResult({ report }: { report: ImportReport }) {
  const { t, locale } = useI18n()
  const fmt = (a: string | null) => plainAmount(a, locale)
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="import-result">
      <Alert
        type={report.rejected.length || report.totalsAgree === false ? 'warning' : 'success'}
        showIcon
        message={t('finance.imports.result')}
        description={
          <Flex vertical gap={4}>
            <span>
              {t('finance.imports.resultText', {
                lines: report.lines,
                inserted: report.inserted,
                known: report.alreadyKnown,
                rejected: report.rejected.length,
              })}
            </span>
            {report.duplicateFile && <span>{t('finance.imports.duplicate')}</span>}
            {report.totalsAgree === true && <span>{t('finance.imports.totalsAgree')}</span>}
            {report.totalsAgree === false && (
              <span>
                {t('finance.imports.totalsDiffer', {
                  stated: fmt(report.statedTotal),
                  parsed: fmt(report.parsedTotal),
                })}
              </span>
            )}
          </Flex>
        }
      />
      {report.rejected.length > 0 && (
        <>
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('finance.imports.rejected')}
          </Typography.Title>
          <RejectedTable rows={report.rejected} />
        </>
      )}
    </Space>
  )
}

function RejectedTable({ rows }: { rows: RejectedRow[] }) {
  const { t } = useI18n()
  return (
    <Table<RejectedRow>
      size="small"
      data-testid="rejected-rows"
      rowKey="row"
      dataSource={rows}
      pagination={rows.length > 20 ? { pageSize: 20 } : false}
      scroll={{ x: 'max-content' }}
      columns={[
        { title: t('finance.imports.row'), dataIndex: 'row', align: 'right', width: 64 },
        {
          title: t('finance.imports.raw'),
          dataIndex: 'raw',
          render: (raw: string) => (
            <Typography.Text
              className="mono"
              style={{
                fontSize: 12,
                maxWidth: 520,
                display: 'inline-block',
                whiteSpace: 'pre-wrap',
                wordBreak: 'break-all',
              }}
            >
              {raw}
            </Typography.Text>
          ),
        },
        {
          title: t('finance.imports.reason'),
          dataIndex: 'reason',
          render: (r: string) => <Typography.Text type="danger">「{r}」</Typography.Text>,
        },
      ]}
    />
  )
}
