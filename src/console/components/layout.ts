import { Grid } from 'antd'

/** True at the desk (md, 768 px, and up); false on a handheld, where fixed columns would crowd the row. */
export function useDesk(): boolean {
  return Grid.useBreakpoint().md !== false
}
