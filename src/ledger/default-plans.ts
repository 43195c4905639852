/**
 * Default dated fee plans per channel, from reference ledger-currency-and-fees §5.1 (secondary
 * sources; rates the platforms do not publish per category are left for the merchant to add by
 * category). Installed per shop on request, editable like any plan, so a merchant starts with
 * sensible estimates.
 */
import type { CommissionRules } from './commission.js'

export interface DefaultPlan {
  name: string
  effectiveFrom: string
  effectiveTo: string | null
  rules: CommissionRules
  /** Where the figure comes from, shown with the plan. */
  note: string
}

export const DEFAULT_PLANS: Partial<Record<string, readonly DefaultPlan[]>> = {
  taobao: [
    {
      name: '淘天基础软件服务费 0.6%',
      effectiveFrom: '2024-09-01',
      effectiveTo: null,
      rules: { rate: '0.006', refundRule: 'none' },
      note: '0.6 % of the net transaction from 2024-09-01 (LatePost, 2024-07-26) ⚠; Tmall category commission: add byCategory',
    },
  ],
  jd: [
    {
      name: '京东交易服务费 0.6%',
      effectiveFrom: '2023-04-01',
      effectiveTo: null,
      rules: { paymentRate: '0.006', paymentRefundRule: 'proportional' },
      note: 'uniform 0.6 %, refunded with cancelled or refunded orders, from 2023-04-01 ⚠; category commission: add byCategory',
    },
  ],
  pdd: [
    {
      name: '拼多多技术服务费 0.6%',
      effectiveFrom: '2020-01-01',
      effectiveTo: '2024-09-23',
      rules: { rate: '0.006', refundRule: 'none' },
      note: '0.6 % of the transaction; refunds returned it only for some promoted items before 2024-09-24 ⚠',
    },
    {
      name: '拼多多技术服务费 0.6%（按比例退还）',
      effectiveFrom: '2024-09-24',
      effectiveTo: null,
      rules: { rate: '0.006', refundRule: 'proportional' },
      note: 'refunded in proportion to the refund for all products from 2024-09-24 00:00 ⚠',
    },
  ],
}
