/**
 * The sandbox's oauth.taobao.com (cn-marketplaces.md §1.12): GET /authorize shows the seller a page
 * naming the app, with 授权 and 取消; either sends the browser back to the app's redirect_uri with
 * a one-time code (or error=access_denied) and the state untouched. POST /token exchanges the code,
 * checked against the app's key, secret and redirect_uri, for the token document TOP gives
 * (access_token, expires_in, refresh_token, re_expires_in, taobao_user_id, taobao_user_nick).
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface TopOAuthOptions {
  appKey: string
  appSecret: string
  /** The session the gateway accepts: what the exchange hands out. */
  session: string
  sellerNick: string
  sellerId: string
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

export function topOAuth(opts: TopOAuthOptions) {
  const codes = new Map<string, { redirectUri: string }>()
  let granted = 0

  const json = (res: ServerResponse, status: number, body: object) =>
    void res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' }).end(JSON.stringify(body))

  function back(res: ServerResponse, redirectUri: string, params: Record<string, string>) {
    const to = new URL(redirectUri)
    for (const [k, v] of Object.entries(params)) to.searchParams.set(k, v)
    res.writeHead(302, { location: to.toString() }).end()
  }

  function authorize(res: ServerResponse, url: URL) {
    const q = Object.fromEntries(url.searchParams)
    if (q.client_id !== opts.appKey || !q.redirect_uri || q.response_type !== 'code')
      return void res
        .writeHead(400, { 'content-type': 'text/html;charset=UTF-8' })
        .end('<!doctype html><meta charset="utf-8"><p>invalid_client: 应用不存在或参数错误</p>')
    const decision = url.searchParams.get('decision')
    if (decision === 'deny')
      return back(res, q.redirect_uri, {
        error: 'access_denied',
        error_description: '用户拒绝授权',
        ...(q.state ? { state: q.state } : {}),
      })
    if (decision === 'allow') {
      const code = randomBytes(12).toString('hex')
      codes.set(code, { redirectUri: q.redirect_uri })
      return back(res, q.redirect_uri, { code, ...(q.state ? { state: q.state } : {}) })
    }
    const keep = [...url.searchParams]
      .filter(([k]) => k !== 'decision')
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('')
    res.writeHead(200, { 'content-type': 'text/html;charset=UTF-8' }).end(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>淘宝开放平台授权（沙箱）</title></head>
<body style="font-family:sans-serif;max-width:420px;margin:48px auto;line-height:1.6">
<h1 style="font-size:20px">授权应用访问你的店铺（沙箱）</h1>
<p>应用 <b>${escapeHtml(opts.appKey)}</b> 申请访问店铺「${escapeHtml(opts.sellerNick)}」的订单、商品和库存。</p>
<form method="get" action="/authorize">${keep}
<button name="decision" value="allow" style="font-size:16px;padding:8px 24px">授权</button>
<button name="decision" value="deny" style="font-size:16px;padding:8px 24px">取消</button>
</form></body></html>`)
  }

  function token(res: ServerResponse, form: URLSearchParams) {
    if (form.get('client_id') !== opts.appKey || form.get('client_secret') !== opts.appSecret)
      return json(res, 401, { error: 'invalid_client', error_description: 'client_id或client_secret错误' })
    const code = form.get('code') ?? ''
    const issued = codes.get(code)
    codes.delete(code)
    if (form.get('grant_type') !== 'authorization_code' || !issued)
      return json(res, 400, { error: 'invalid_grant', error_description: 'authorize code无效或已使用' })
    if (issued.redirectUri !== form.get('redirect_uri'))
      return json(res, 400, { error: 'invalid_request', error_description: 'redirect_uri不匹配' })
    granted++
    return json(res, 200, {
      access_token: opts.session,
      token_type: 'Bearer',
      expires_in: 86400,
      refresh_token: `${opts.session}-refresh`,
      re_expires_in: 2592000,
      taobao_user_id: opts.sellerId,
      taobao_user_nick: opts.sellerNick,
    })
  }

  return {
    /** Tokens handed out so far. */
    get granted() {
      return granted
    },
    /** Serves /authorize and /token; false for any other path. */
    handles: (url: URL) => url.pathname === '/authorize' || url.pathname === '/token',
    serve(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) {
      if (url.pathname === '/authorize' && req.method === 'GET') return authorize(res, url)
      if (url.pathname === '/token' && req.method === 'POST')
        return token(res, new URLSearchParams(body.toString('utf8')))
      json(res, 405, { error: 'invalid_request', error_description: 'method not allowed' })
    },
  }
}
