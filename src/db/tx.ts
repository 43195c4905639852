import type { Db, Executor, Tx } from './connect.js'
import { isRetryableTxError } from './errors.js'

/**
 * Run `fn` in a transaction, retrying the whole of it on deadlock or lock-wait timeout.
 * Side effects that must not happen on rollback (enqueueing jobs) go after this resolves.
 * Inside an existing transaction it simply runs `fn` there (no nesting, no savepoints).
 */
export async function withTx<T>(db: Executor, fn: (tx: Tx) => Promise<T>, attempts = 4): Promise<T> {
  if (db.isTransaction) return fn(db as Tx)
  for (let attempt = 1; ; attempt++) {
    try {
      return await (db as Db).transaction().execute(fn)
    } catch (err) {
      if (!isRetryableTxError(err) || attempt >= attempts) throw err
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20))
    }
  }
}
