/** What the floor screens share about waybills: printing a run of tasks and saying what happened. */
import { ApiError } from '../../api/client'
import type { PrintTask, Waybill } from '../../api/types'
import type { useI18n } from '../../i18n'
import { refusalText } from './refusal'
import { runPrintTasks, type PrintResult } from './print-station'

type I18n = ReturnType<typeof useI18n>

/** A refused waybill action: the provider's words in quotes, else the floor's usual reasons. */
export function waybillRefusal(i18n: I18n, err: unknown): string {
  if (err instanceof ApiError && err.reason) {
    const text = i18n.maybe(`floor.waybill.refusedReason.${err.reason}`, { message: err.message })
    if (text) return text
  }
  return refusalText(i18n, err)
}

/** One print result as the packer reads it, or null when it printed. */
export function printProblem(i18n: I18n, r: PrintResult): string | null {
  if (r.outcome !== 'failed') return null
  const vars = {
    name: r.component ? i18n.t(`floor.waybill.componentName.${r.component}`) : '',
    url: r.url ?? '',
    message: r.message ?? '',
  }
  if (r.problem === 'no_component') return i18n.t('floor.waybill.noComponent', vars)
  if (r.problem === 'no_answer') return i18n.t('floor.waybill.noAnswer', vars)
  return i18n.t('floor.waybill.refused', vars)
}

/**
 * Send the tasks to this PC's print components in their order; the labels the hub renders open
 * as PDFs (the first in a new window: a browser lets one click open one).
 */
export async function printRun(tasks: readonly PrintTask[]): Promise<PrintResult[]> {
  const results = await runPrintTasks(tasks)
  const labels = results.filter((r) => r.labelUrl)
  if (labels[0]?.labelUrl) window.open(labels[0].labelUrl, '_blank', 'noopener')
  return results
}

/** The live waybill of a parcel (not cancelled), newest first as the API lists them. */
export function liveWaybillOf(
  list: readonly Waybill[],
  orderId: string,
  shipmentGroupId: string | null,
): Waybill | null {
  return (
    list.find(
      (w) =>
        w.orderId === orderId &&
        (w.shipmentGroupId ?? null) === (shipmentGroupId ?? null) &&
        w.status !== 'cancelled',
    ) ?? null
  )
}

export const WAYBILL_STATUS_COLOR: Record<Waybill['status'], string> = {
  requested: 'blue',
  issued: 'orange',
  printed: 'green',
  shipped: 'green',
  cancelled: 'default',
  failed: 'red',
}
