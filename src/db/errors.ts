/** mysql2 error classification; MySQL and MariaDB share these error numbers. */
export const ER_DUP_ENTRY = 1062
export const ER_LOCK_DEADLOCK = 1213
export const ER_LOCK_WAIT_TIMEOUT = 1205
export const ER_CHECK_CONSTRAINT_VIOLATED = 4025 // MariaDB
export const ER_CHECK_CONSTRAINT_VIOLATED_MYSQL = 3819 // MySQL 8
export const ER_BAD_DB_ERROR = 1049

export function errno(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'errno' in err && typeof err.errno === 'number')
    return err.errno
  return undefined
}

export const isDuplicateKey = (err: unknown): boolean => errno(err) === ER_DUP_ENTRY
export const isRetryableTxError = (err: unknown): boolean => {
  const n = errno(err)
  return n === ER_LOCK_DEADLOCK || n === ER_LOCK_WAIT_TIMEOUT
}
export const isCheckViolation = (err: unknown): boolean => {
  const n = errno(err)
  return n === ER_CHECK_CONSTRAINT_VIOLATED || n === ER_CHECK_CONSTRAINT_VIOLATED_MYSQL
}
