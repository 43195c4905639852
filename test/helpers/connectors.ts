/** Small helpers for tests that drive connectors: draining their async iterables, expecting their errors. */
import { expect } from 'vitest'
import { ConnectorError } from '../../connectors/errors.js'

/** Everything an async iterable yields (pages, settlement batches). */
export async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** The items of every page a pull yields, in order. */
export async function items<T>(pages: AsyncIterable<{ items: T[] }>): Promise<T[]> {
  return (await drain(pages)).flatMap((p) => p.items)
}

/** The ConnectorError a call ends in (the test fails if it resolves or throws anything else). */
export async function connectorFailure(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConnectorError)
  return err as ConnectorError
}
