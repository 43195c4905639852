import type { Db, Executor, Tx } from './connect.js'
import { isRetryableTxError } from './errors.js'

export interface TxOptions {
  attempts?: number
  /**
   * 'read committed' takes no gap locks on SELECT … FOR UPDATE of a missing row, so writers
   * creating different new rows do not deadlock each other; a race on the same new row then ends
   * in a duplicate-key error that the caller retries.
   */
  isolation?: 'read committed' | 'repeatable read'
}

/** Work that withTx runs at the end of a transaction, after `fn`, just before the commit. */
const beforeCommit = new WeakMap<Tx, (() => Promise<void>)[]>()

/**
 * Run `work` just before this transaction commits, after everything else in it (still inside it:
 * if it fails, nothing commits). For writes to rows that every transaction touches (running
 * totals): taken last, their locks are held only until the commit. Returns false when `db` is not
 * a transaction opened by withTx; the caller then writes at once.
 */
export function atCommit(db: Executor, work: () => Promise<void>): boolean {
  const queue = db.isTransaction ? beforeCommit.get(db as Tx) : undefined
  if (!queue) return false
  queue.push(work)
  return true
}

/**
 * Run `fn` in a transaction, retrying the whole of it on deadlock or lock-wait timeout.
 * Side effects that must not happen on rollback (enqueueing jobs) go after this resolves.
 * Inside an existing transaction it simply runs `fn` there (no nesting, no savepoints).
 */
export async function withTx<T>(db: Executor, fn: (tx: Tx) => Promise<T>, opts: TxOptions = {}): Promise<T> {
  if (db.isTransaction) return fn(db as Tx)
  const attempts = opts.attempts ?? 6
  for (let attempt = 1; ; attempt++) {
    try {
      const builder = (db as Db).transaction()
      return await (opts.isolation ? builder.setIsolationLevel(opts.isolation) : builder).execute(
        async (tx) => {
          const queue: (() => Promise<void>)[] = []
          beforeCommit.set(tx, queue)
          const result = await fn(tx)
          for (let i = 0; i < queue.length; i++) await queue[i]!()
          return result
        },
      )
    } catch (err) {
      if (!isRetryableTxError(err) || attempt >= attempts) throw err
      await new Promise((r) => setTimeout(r, 5 * 2 ** attempt + Math.random() * 25))
    }
  }
}
