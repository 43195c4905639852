/**
 * Money as people read it: the API's exact decimal string goes straight into Intl (never through a
 * JS number, which would lose digits past 2^53 and round 0.115 wrongly), with the currency's symbol,
 * thousands separators and the currency's decimals (2 for CNY and USD).
 */
const DECIMAL = /^-?\d+(\.\d+)?$/
const formatters = new Map<string, Intl.NumberFormat>()

const numberLocale = (locale: string) => (locale === 'en' ? 'en-US' : 'zh-CN')

function formatter(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`
  let f = formatters.get(key)
  if (!f) {
    f = new Intl.NumberFormat(numberLocale(locale), { style: 'currency', currency })
    formatters.set(key, f)
  }
  return f
}

/** "¥1,234.50" (zh-CN, CNY), "-¥5.00", "US$12.00" (zh-CN, USD), "CN¥1,234.50" (en, CNY). */
export function formatMoney(amount: string | null | undefined, currency: string, locale: string): string {
  if (amount === null || amount === undefined || amount === '') return ''
  if (!DECIMAL.test(amount) || !/^[A-Z]{3}$/.test(currency)) return amount
  return formatter(locale, currency).format(amount as `${number}`)
}

/** A count with thousands separators: 12,345. */
export function formatCount(n: number, locale: string): string {
  return new Intl.NumberFormat(numberLocale(locale)).format(n)
}
