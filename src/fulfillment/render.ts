/**
 * Pick list renderings: CSV (UTF-8 BOM for Excel, formula-injection safe) and a printable A4 HTML
 * page (print stylesheet, large SKU codes, page numbers, held orders struck through).
 */
import { stringify } from 'csv-stringify/sync'
import type { PickList } from './picklist.js'

/** Cells that a spreadsheet would run as a formula get a leading apostrophe. */
export const csvSafe = (v: string | number | null): string => {
  const s = v === null ? '' : String(v)
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
}

export function pickListCsv(list: PickList): string {
  const rows: (string | number | null)[][] = [
    [
      'seq',
      'bin',
      'sku_code',
      'sku_name',
      'barcode',
      'total_quantity',
      'slot',
      'order',
      'channel',
      'slot_quantity',
      'on_hold',
    ],
  ]
  for (const item of list.items) {
    for (const s of item.slots) {
      rows.push([
        item.seq,
        item.bin,
        item.skuCode,
        item.skuName,
        item.barcode,
        item.totalQuantity,
        s.slot,
        s.orderLabel,
        s.channel,
        s.quantity,
        s.onHold ? 'yes' : 'no',
      ])
    }
  }
  return `\uFEFF${stringify(rows.map((r) => r.map(csvSafe)))}`
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}
export const esc = (v: string | number | null | undefined): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!)

const STYLE = `
  @page { size: A4; margin: 12mm 10mm 16mm; @bottom-right { content: "Page " counter(page) " / " counter(pages); } }
  body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; font-size: 11pt; margin: 0; }
  header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 2px solid #000; margin-bottom: 4mm; }
  h1 { font-size: 16pt; margin: 0 0 2mm; }
  table { width: 100%; border-collapse: collapse; }
  thead { display: table-header-group; }
  tr { page-break-inside: avoid; }
  th, td { border-bottom: 1px solid #999; padding: 2mm 1.5mm; vertical-align: top; text-align: left; }
  .bin { font-size: 15pt; font-weight: 700; white-space: nowrap; }
  .sku { font-family: "DejaVu Sans Mono", monospace; font-size: 16pt; font-weight: 700; letter-spacing: .5px; }
  .qty { font-size: 18pt; font-weight: 700; text-align: center; }
  .slots span { display: inline-block; border: 1px solid #000; border-radius: 2mm; padding: 0 1.5mm; margin: 0 1mm 1mm 0; }
  .held { text-decoration: line-through; color: #b00; }
  .hold-note { color: #b00; font-weight: 700; }
  .page-no::after { content: counter(page); }
  footer { position: fixed; bottom: 0; right: 0; font-size: 9pt; }
  @media screen { body { max-width: 190mm; margin: 8mm auto; } footer { display: none; } }
  @media print { .no-print { display: none; } }
`

/** A time as the merchant's warehouse reads it: 2026-12-07 14:05 in their zone. */
export function zonedTime(iso: string, timeZone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((x) => [x.type, x.value]),
  )
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

export interface LegendEntry {
  slot: number
  externalId: string
  buyerNick: string | null
  shopName: string
  onHold: boolean
}

export function pickListHtml(
  list: PickList & { code?: string; legend?: readonly LegendEntry[] },
  timeZone = 'UTC',
): string {
  const rows = list.items
    .map((item) => {
      const slots = item.slots
        .map(
          (s) =>
            `<span class="${s.onHold ? 'held' : ''}" title="${esc(s.orderLabel)}">#${s.slot} × ${s.quantity}${s.onHold ? ' HOLD' : ''}</span>`,
        )
        .join('')
      return `<tr>
        <td>${item.seq}</td>
        <td class="bin">${esc(item.bin ?? '—')}</td>
        <td><div class="sku">${esc(item.skuCode)}</div><div>${esc(item.skuName)}</div>${item.barcode ? `<div>${esc(item.barcode)}</div>` : ''}</td>
        <td class="qty">${item.totalQuantity}</td>
        <td class="slots">${slots}</td>
        <td>☐</td>
      </tr>`
    })
    .join('\n')
  const holdNote =
    list.heldOrders > 0
      ? `<p class="hold-note">${list.heldOrders} order(s) on hold — do not pick the struck-through slots.</p>`
      : ''
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Pick list ${esc(list.waveId)}</title><style>${STYLE}</style></head>
<body>
<header><h1>拣货单 Pick list — ${esc(list.warehouseCode)}</h1><div>Wave ${esc(list.code ?? list.waveId)} · ${esc(zonedTime(list.createdAt, timeZone))} (${esc(timeZone)})</div></header>
<p>${list.orderCount} orders · ${list.unitCount} units · ${list.items.length} lines</p>
${holdNote}
<button class="no-print" onclick="window.print()">Print</button>
<table>
  <thead><tr><th>#</th><th>Bin 库位</th><th>SKU</th><th>Qty 数量</th><th>Slots 分拣格</th><th>✓</th></tr></thead>
  <tbody>
${rows}
  </tbody>
</table>
${legendHtml(list.legend ?? [])}
<footer>Page <span class="page-no"></span></footer>
</body></html>`
}

/** The sorting wall's legend: which order and buyer each slot holds. */
function legendHtml(legend: readonly LegendEntry[]): string {
  if (legend.length === 0) return ''
  const rows = legend
    .map(
      (l) =>
        `<tr class="${l.onHold ? 'held' : ''}"><td class="bin">#${l.slot}</td><td>${esc(l.externalId)}</td><td>${esc(l.buyerNick ?? '—')}</td><td>${esc(l.shopName)}</td></tr>`,
    )
    .join('\n')
  return `<h2>分拣格对照 Slot legend</h2>
<table>
  <thead><tr><th>Slot 格口</th><th>Order 订单号</th><th>Buyer 买家</th><th>Shop 店铺</th></tr></thead>
  <tbody>
${rows}
  </tbody>
</table>`
}
