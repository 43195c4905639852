import { defineArea } from './define'

/** Channel names as merchants say them; shared by every screen that shows a shop or an order. */
export const channels = defineArea(
  {
    taobao: '淘宝/天猫',
    jd: '京东',
    pdd: '拼多多',
    douyin: '抖店',
    shopify: 'Shopify',
    woocommerce: 'WooCommerce',
    selfstore: '自营商城',
  },
  {
    taobao: 'Taobao/Tmall',
    jd: 'JD',
    pdd: 'Pinduoduo',
    douyin: 'Douyin shop',
    shopify: 'Shopify',
    woocommerce: 'WooCommerce',
    selfstore: 'Own store',
  },
)
