/** A Code 128 barcode drawn as SVG (crisp on paper, no image or font fetched), with its text below. */
import { code128Widths, encodable } from './code128'

export function Barcode({
  value,
  height = 40,
  module = 2,
  maxWidth,
  showText = true,
  label,
}: {
  value: string
  /** Bar height in px (CSS px: about 0.26 mm each on paper). */
  height?: number
  /** Width of the narrowest bar in whole px (a fraction blurs the bars); narrowed to fit maxWidth. */
  module?: number
  maxWidth?: number
  showText?: boolean
  label?: string
}) {
  if (!encodable(value)) return <span className="mono">{value}</span>
  const widths = code128Widths(value)
  const quiet = 10
  const total = widths.reduce((a, b) => a + b, 0) + quiet * 2
  const px = Math.max(1, Math.min(Math.round(module), maxWidth ? Math.floor(maxWidth / total) : Infinity))
  const bars: { x: number; w: number }[] = []
  let x = quiet
  widths.forEach((w, i) => {
    if (i % 2 === 0) bars.push({ x, w })
    x += w
  })
  return (
    <figure className="ep-barcode" style={{ margin: 0, display: 'inline-block', textAlign: 'center' }}>
      <svg
        role="img"
        aria-label={label ?? value}
        data-barcode={value}
        width={total * px}
        height={height}
        viewBox={`0 0 ${total} ${height}`}
        preserveAspectRatio="none"
        shapeRendering="crispEdges"
      >
        <rect width={total} height={height} fill="#fff" />
        {bars.map((b, i) => (
          <rect key={i} x={b.x} width={b.w} height={height} fill="#000" />
        ))}
      </svg>
      {showText && (
        <figcaption className="mono" style={{ fontSize: 11, letterSpacing: 1 }}>
          {value}
        </figcaption>
      )}
    </figure>
  )
}
