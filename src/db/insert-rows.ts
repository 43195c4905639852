/**
 * A multi-row INSERT as one SQL string, for the statements that write hundreds of rows at once (the
 * journal's entries, lines and running totals). Kysely's insert builder makes a node of every cell,
 * freezes it, compiles it to a placeholder, and mysql2 then formats the value back into the text:
 * for such a statement that was most of the JavaScript time of a posting. Here each value is
 * escaped once, by mysql2's own escaping with the pool's time zone: written as the driver would have
 * written it into the builder's statement. Values are what the tables' insert types allow (strings,
 * numbers, dates, null); JSON goes in as its text.
 */
import { sql, type Insertable, type RawBuilder } from 'kysely'
import { escape } from 'mysql2'
import { DRIVER_TIMEZONE } from './connect.js'
import type { DB } from './schema.js'

type Row<T extends keyof DB> = Insertable<DB[T]>

/** A value as the driver writes it; a column a row leaves undefined takes its default. */
const literal = (value: unknown): string =>
  value === undefined ? 'DEFAULT' : escape(value as Parameters<typeof escape>[0], false, DRIVER_TIMEZONE)

/**
 * INSERT INTO `table` (columns) VALUES (…), (…) — each row's values in `columns` order; with `add`,
 * a row whose key exists adds those columns to it instead (running totals:
 * ON DUPLICATE KEY UPDATE c = c + VALUES(c)).
 */
export function insertRows<T extends keyof DB, C extends keyof Row<T> & string>(
  table: T,
  columns: readonly C[],
  rows: readonly Pick<Row<T>, C>[],
  opts: { add?: readonly C[] } = {},
): RawBuilder<unknown> {
  if (rows.length === 0) throw new Error(`insertRows: no rows for ${table}`)
  let text = `INSERT INTO \`${table}\` (\`${columns.join('`, `')}\`) VALUES `
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!
    text += r === 0 ? '(' : ', ('
    for (let c = 0; c < columns.length; c++) text += (c === 0 ? '' : ', ') + literal(row[columns[c]!])
    text += ')'
  }
  if (opts.add && opts.add.length > 0)
    text += ` ON DUPLICATE KEY UPDATE ${opts.add.map((c) => `\`${c}\` = \`${c}\` + VALUES(\`${c}\`)`).join(', ')}`
  return sql.raw(text)
}
