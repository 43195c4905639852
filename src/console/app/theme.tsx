/** antd in the chosen language, with the console's tokens: 14 px body at the desk, 16 px on a handheld. */
import { App as AntApp, ConfigProvider, Grid } from 'antd'
import enUS from 'antd/es/locale/en_US'
import zhCN from 'antd/es/locale/zh_CN'
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'
import type { ReactNode } from 'react'
import { useI18n } from '../i18n'

export const FONT_FAMILY =
  "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

export function Themed({ children }: { children: ReactNode }) {
  const { locale } = useI18n()
  const screens = Grid.useBreakpoint()
  const handheld = screens.sm === false
  dayjs.locale(locale === 'en' ? 'en' : 'zh-cn')
  return (
    <ConfigProvider
      locale={locale === 'en' ? enUS : zhCN}
      // 查询 stays 查询 (not 查 询): the same word on the button as in the text.
      button={{ autoInsertSpace: false }}
      theme={{
        token: {
          fontFamily: FONT_FAMILY,
          fontSize: handheld ? 16 : 14,
          colorText: 'rgba(0, 0, 0, 0.88)',
          colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
          borderRadius: 6,
        },
        components: {
          Table: { headerBg: '#fafafa', cellPaddingBlockSM: 6 },
          Layout: { headerBg: '#ffffff', siderBg: '#ffffff', bodyBg: '#f5f5f5', headerPadding: '0 16px' },
        },
      }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  )
}
