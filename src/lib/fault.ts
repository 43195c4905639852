/**
 * Fault points: named step boundaries in handlers that must survive a crash at any line. In
 * production a point is one comparison with null. A test installs a hook that records the points a
 * handler passes, or throws at one of them, and then checks that a re-run repairs everything
 * (test/integration/jobs/faults.test.ts).
 *
 * Place a point where a process could die between two effects: after a commit and before the
 * enqueue that follows it, after an HTTP call and before its result is recorded, between two
 * statements of one transaction. Never inside a try whose catch would turn the fault into a
 * recorded outcome: a dying process runs no catch blocks.
 */
export type FaultHook = (point: string) => void

let hook: FaultHook | null = null

export function faultPoint(point: string): void {
  if (hook !== null) hook(point)
}

/** Install (or, with null, remove) the hook. Tests only. */
export function setFaultHook(next: FaultHook | null): void {
  hook = next
}

export class InjectedFault extends Error {
  override name = 'InjectedFault'
  constructor(readonly point: string) {
    super(`injected fault at ${point}`)
  }
}
