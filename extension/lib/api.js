// Talks to the local NewsGist service. Used by the background worker and the options page
// (both extension origins, so the host_permissions make the fetch work without CORS).
//
// Every call resolves (never rejects) to {ok: true, data} or {ok: false, error}, where
// error = {kind, status?, code?, message?, retryAfter?, serviceUrl, timeoutSeconds?}.
// `kind` (one of lib/constants.js ERROR_KINDS) is what the panel turns into a message a reader
// can act on:
//   unreachable   nothing listens at the service URL (service not started)
//   timeout       no answer within the configured time
//   no_article    422: the service found no readable article (its message says what it found)
//   busy          503: model still loading or service overloaded (retryAfter in seconds, if sent)
//   refused       403: Host/Origin refused
//   too_large     413: page larger than the service accepts
//   bad_request   400/415
//   not_newsgist  something answered, but not with NewsGist's JSON
//   server        any other error status
(() => {
  const KIND_BY_STATUS = { 400: 'bad_request', 403: 'refused', 413: 'too_large', 415: 'bad_request', 422: 'no_article', 503: 'busy' };

  async function call(serviceUrl, path, { method = 'GET', body, timeoutSeconds = 60 } = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutSeconds * 1000);
    const base = { serviceUrl, timeoutSeconds };
    let response;
    try {
      response = await fetch(serviceUrl + path, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (e) {
      clearTimeout(timer);
      if (controller.signal.aborted) return { ok: false, error: { ...base, kind: 'timeout' } };
      return { ok: false, error: { ...base, kind: 'unreachable', message: String(e?.message || e) } };
    }
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      if (controller.signal.aborted) {
        clearTimeout(timer);
        return { ok: false, error: { ...base, kind: 'timeout' } };
      }
    }
    clearTimeout(timer);
    if (response.ok) {
      if (data && typeof data === 'object') return { ok: true, data };
      return { ok: false, error: { ...base, kind: 'not_newsgist', status: response.status } };
    }
    const err = data && typeof data.error === 'object' ? data.error : null;
    if (!err) return { ok: false, error: { ...base, kind: 'not_newsgist', status: response.status } };
    const retry = Number.parseInt(response.headers.get('Retry-After') || '', 10);
    return {
      ok: false,
      error: {
        ...base,
        kind: KIND_BY_STATUS[response.status] || 'server',
        status: response.status,
        code: String(err.code || ''),
        message: String(err.message || ''),
        retryAfter: Number.isFinite(retry) ? retry : undefined,
      },
    };
  }

  /** POST /v1/summarize. `payload` holds html or text, url, title, length. */
  function summarize(settings, payload) {
    return call(settings.serviceUrl, '/v1/summarize', {
      method: 'POST', body: payload, timeoutSeconds: settings.timeoutSeconds,
    });
  }

  /** POST /v1/digest. `payload` = {pages: [{html, url, title}...], length}. */
  function digest(settings, payload, timeoutSeconds = settings.timeoutSeconds) {
    return call(settings.serviceUrl, '/v1/digest', { method: 'POST', body: payload, timeoutSeconds });
  }

  /** GET /v1/health: {status: "ok"|"loading", model, version}. */
  function health(serviceUrl, timeoutSeconds = 10) {
    return call(serviceUrl, '/v1/health', { timeoutSeconds });
  }

  // The reading history (docs/history.md): GET /v1/history (q, limit, before), DELETE one or all.
  function history(settings, { q, limit, before } = {}) {
    const params = new URLSearchParams();
    if (q) params.set('q', q);
    if (limit) params.set('limit', String(limit));
    if (before) params.set('before', before);
    const query = params.toString();
    return call(settings.serviceUrl, `/v1/history${query ? `?${query}` : ''}`, { timeoutSeconds: settings.timeoutSeconds });
  }

  function forget(settings, id) {
    return call(settings.serviceUrl, `/v1/history/${encodeURIComponent(String(id))}`, {
      method: 'DELETE', timeoutSeconds: settings.timeoutSeconds,
    });
  }

  function clearHistory(settings) {
    return call(settings.serviceUrl, '/v1/history', { method: 'DELETE', timeoutSeconds: settings.timeoutSeconds });
  }

  /** GET /v1/history/export?format=markdown: {ok, text} or {ok: false, error}. */
  async function exportHistory(settings) {
    try {
      const response = await fetch(`${settings.serviceUrl}/v1/history/export?format=markdown`, {
        cache: 'no-store', credentials: 'omit',
      });
      if (!response.ok) return { ok: false, error: { kind: 'server', status: response.status, serviceUrl: settings.serviceUrl } };
      return { ok: true, text: await response.text() };
    } catch (e) {
      return { ok: false, error: { kind: 'unreachable', message: String(e?.message || e), serviceUrl: settings.serviceUrl } };
    }
  }

  globalThis.NewsGist = Object.assign(globalThis.NewsGist || {}, {
    api: { summarize, digest, health, history, forget, clearHistory, exportHistory },
  });
})();
