/**
 * Import the edited mapping workbook: the file is checked first (dryRun) and the report shown —
 * what would be saved, and each rejected row with its reason — then imported on confirmation.
 */
import { Alert, Button, Modal, Table, Typography, Upload } from 'antd'
import { useState } from 'react'
import { shopApi, type ImportReport } from '../../api/shops'
import { ErrorAlert } from '../../components/states'
import { useI18n } from '../../i18n'

export function ImportModal({
  open,
  onClose,
  onImported,
}: {
  open: boolean
  onClose: () => void
  onImported: () => void
}) {
  const { t } = useI18n()
  const [file, setFile] = useState<File | null>(null)
  const [report, setReport] = useState<ImportReport | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  const check = async (f: File) => {
    setFile(f)
    setReport(null)
    setError(null)
    setBusy(true)
    try {
      setReport(await shopApi.importMappings(f, true))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const confirm = async () => {
    if (!file) return
    setBusy(true)
    try {
      const r = await shopApi.importMappings(file, false)
      setReport(r)
      if (r.rejected.length === 0) onImported()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const close = () => {
    setFile(null)
    setReport(null)
    setError(null)
    onClose()
  }

  return (
    <Modal
      open={open}
      title={t('shops.cat.importTitle')}
      onCancel={close}
      width={720}
      footer={[
        <Button key="cancel" onClick={close}>
          {t('common.close')}
        </Button>,
        <Button
          key="ok"
          type="primary"
          loading={busy}
          disabled={!report?.dryRun || report.saved === 0}
          onClick={() => void confirm()}
        >
          {t('shops.cat.importConfirm')}
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">{t('shops.cat.importHint')}</Typography.Paragraph>
      <Upload
        accept=".xlsx"
        maxCount={1}
        showUploadList={file ? { showRemoveIcon: false } : false}
        beforeUpload={(f) => {
          void check(f)
          return false
        }}
      >
        <Button loading={busy && !report}>{t('shops.cat.importPick')}</Button>
      </Upload>
      <div style={{ marginTop: 12 }}>
        <ErrorAlert error={error} />
        {report && (
          <Alert
            type={report.rejected.length ? 'warning' : 'success'}
            showIcon
            style={{ marginBottom: 12 }}
            message={
              report.dryRun
                ? t('shops.cat.importChecked', {
                    rows: report.rows,
                    saved: report.saved,
                    unchanged: report.unchanged,
                    skipped: report.skipped,
                    rejected: report.rejected.length,
                  })
                : t('shops.cat.importDone', { saved: report.saved, rejected: report.rejected.length })
            }
          />
        )}
        {report && report.rejected.length > 0 && (
          <Table
            size="small"
            rowKey="row"
            pagination={false}
            scroll={{ x: 'max-content', y: 240 }}
            dataSource={report.rejected}
            columns={[
              { title: t('shops.cat.importRow'), dataIndex: 'row', align: 'right' },
              { title: t('shops.cat.platformSkuKey'), dataIndex: 'platformSkuKey' },
              { title: t('shops.cat.importCode'), dataIndex: 'merchantSkuCode' },
              { title: t('shops.cat.importReason'), dataIndex: 'reason' },
            ]}
          />
        )}
      </div>
    </Modal>
  )
}
