/** The detail drawer: a header with the status and actions, then titled sections. */
import { Drawer, Grid, Skeleton, Typography } from 'antd'
import type { ReactNode } from 'react'
import { ErrorAlert } from './states'

export function DetailDrawer({
  open,
  title,
  extra,
  loading,
  error,
  onClose,
  children,
}: {
  open: boolean
  title: ReactNode
  extra?: ReactNode
  loading?: boolean
  error?: unknown
  onClose: () => void
  children?: ReactNode
}) {
  const screens = Grid.useBreakpoint()
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={title}
      extra={extra}
      width={screens.md ? 760 : '100%'}
      destroyOnHidden
    >
      <ErrorAlert error={error} />
      {loading ? <Skeleton active /> : children}
    </Drawer>
  )
}

export function Section({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <section style={{ marginBottom: 24 }}>
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {title}
      </Typography.Title>
      {children}
    </section>
  )
}
