/** What the console's dialogs share about their forms. */
import type { FormInstance } from 'antd'
import { useLayoutEffect, useRef } from 'react'

/**
 * Fill a dialog's form as it opens, before it is painted: what a person types (or a scanner sends)
 * into a dialog that has just appeared is never overwritten by its opening values, and a refresh of
 * what the dialog edits (the list or the order behind it reloading) does not wipe what was typed.
 * `opened` names what the dialog edits (null while closed); the values are taken when it changes.
 */
export function useOpeningValues<T>(
  form: FormInstance<T>,
  opened: string | null,
  values: () => Parameters<FormInstance<T>['setFieldsValue']>[0],
  opts: { reset?: boolean } = {},
): void {
  const latest = useRef(values)
  latest.current = values
  const reset = opts.reset ?? false
  useLayoutEffect(() => {
    if (opened === null) return
    if (reset) form.resetFields()
    form.setFieldsValue(latest.current())
  }, [opened, form, reset])
}
