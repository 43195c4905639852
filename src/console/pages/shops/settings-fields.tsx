/**
 * Form fields generated from a channel's settings schema (GET /channels): a string is a text box
 * (a URL checked as one), an enum a select, a boolean a switch, a number a number box. Objects
 * (carrier tables, location maps) are not asked for when linking. Labels come from the console's
 * dictionary by field name, the schema's own title only as a last resort.
 */
import { Form, Input, InputNumber, Select, Switch } from 'antd'
import type { ChannelInfo, SchemaNode } from '../../api/shops'
import { useI18n } from '../../i18n'

/** The schema node behind a field: a union of one type and null is that type. */
const nodeOf = (n: SchemaNode): SchemaNode => n.anyOf?.find((x) => x.type !== 'null') ?? n

const enumOf = (n: SchemaNode): (string | number)[] | undefined =>
  n.enum ??
  (n.anyOf?.every((x) => 'const' in x) ? n.anyOf.map((x) => (x as { const: string }).const) : undefined)

/** The channel's own settings a form asks for, required ones first. */
export function formFields(info: ChannelInfo): { name: string; node: SchemaNode; required: boolean }[] {
  const props = info.settingsSchema.properties ?? {}
  const required = new Set(info.settingsSchema.required ?? [])
  return info.channelSettings
    .map((name) => ({ name, node: props[name]!, required: required.has(name) }))
    .filter((f) => f.node && nodeOf(f.node).type !== 'object')
    .sort((a, b) => Number(b.required) - Number(a.required))
}

export function useFieldLabel(channel: string) {
  const { maybe } = useI18n()
  return {
    label: (name: string, node?: SchemaNode) =>
      maybe(`shops.fieldOf.${channel}.${name}`) ?? maybe(`shops.field.${name}`) ?? node?.title ?? name,
    help: (name: string) => maybe(`shops.fieldHelp.${channel}.${name}`) ?? maybe(`shops.fieldHelp.${name}`),
  }
}

export function SettingField({
  channel,
  name,
  node,
  required,
}: {
  channel: string
  name: string
  node: SchemaNode
  required: boolean
}) {
  const { t } = useI18n()
  const { label, help } = useFieldLabel(channel)
  const n = nodeOf(node)
  const text = label(name, n)
  const values = enumOf(n)
  const rules = [
    ...(required ? [{ required: true, message: t('shops.link.required', { label: text }) }] : []),
    ...(n.format === 'uri'
      ? [{ pattern: /^https?:\/\/[^/?#\s]+/, message: t('shops.link.invalidUrl') }]
      : []),
  ]
  const common = { name: ['settings', name], label: text, rules, extra: help(name) }
  if (values)
    return (
      <Form.Item {...common}>
        <Select
          allowClear={!required}
          placeholder={n.default !== undefined ? String(n.default as string) : undefined}
          options={values.map((v) => ({ value: v, label: String(v) }))}
        />
      </Form.Item>
    )
  if (n.type === 'boolean')
    return (
      <Form.Item {...common} valuePropName="checked">
        <Switch />
      </Form.Item>
    )
  if (n.type === 'integer' || n.type === 'number')
    return (
      <Form.Item {...common}>
        <InputNumber
          style={{ width: '100%' }}
          {...(n.minimum !== undefined ? { min: n.minimum } : {})}
          {...(n.maximum !== undefined ? { max: n.maximum } : {})}
        />
      </Form.Item>
    )
  return (
    <Form.Item {...common}>
      <Input
        autoComplete="off"
        maxLength={n.maxLength}
        inputMode={n.format === 'uri' ? 'url' : undefined}
        placeholder={n.format === 'uri' ? 'https://' : undefined}
      />
    </Form.Item>
  )
}
