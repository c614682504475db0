// Starts the NewsGist service on demand through the browser's native messaging: the helper
// program `newsgist-host` (registered by `newsgist host install`) starts `newsgist serve`
// when asked {cmd: "ensure"} and replies when the service is ready. Loaded by the background
// worker only.
//
// `nativeMessaging` is an optional permission: the extension asks for it the first time the
// service is not running (from an extension page, where a click counts as the reader's
// consent), never at install.
(() => {
  const ext = globalThis.browser ?? globalThis.chrome;
  const { NATIVE_HOST: HOST, NATIVE_PERMISSION } = globalThis.NewsGist;
  const PERMISSION = Object.freeze({ permissions: [NATIVE_PERMISSION] });
  const POLL_MS = 500;

  /** Whether the reader has allowed the extension to talk to the helper. */
  async function allowed() {
    try {
      return await ext.permissions.contains(PERMISSION);
    } catch {
      return false;
    }
  }

  /** Must run in a click handler of an extension page (browsers demand a user gesture). */
  function requestPermission() {
    return ext.permissions.request(PERMISSION);
  }

  /**
   * Asks the helper to start the service. Resolves to {ok: true, url, started} or
   * {ok: false, reason, message}, reason being:
   *   not_allowed   the permission has not been granted
   *   no_host       the helper is not installed (or not for this browser / extension id)
   *   host_error    the helper answered with an error (its code and message are passed on)
   */
  async function ensure() {
    if (typeof ext.runtime.sendNativeMessage !== 'function' || !(await allowed())) {
      return { ok: false, reason: 'not_allowed' };
    }
    let reply;
    try {
      reply = await ext.runtime.sendNativeMessage(HOST, { cmd: 'ensure' });
    } catch (e) {
      // Chromium: "Specified native messaging host not found." / "Access to the specified native
      // messaging host is forbidden."; Firefox: "No such native application newsgist.host".
      return { ok: false, reason: 'no_host', message: String(e?.message || e) };
    }
    if (reply && reply.ok === true) return { ok: true, url: String(reply.url || ''), started: Boolean(reply.started) };
    const err = reply && typeof reply.error === 'object' ? reply.error : {};
    return { ok: false, reason: 'host_error', code: String(err.code || ''), message: String(err.message || '') };
  }

  /**
   * Starts the service and reports progress while it loads: onProgress({phase, seconds}) with
   * phase 'starting' (nothing answers yet) or 'loading' (the service answers, its model loads),
   * read from GET /v1/health while the helper works.
   */
  async function startService(serviceUrl, onProgress) {
    const began = Date.now();
    let done = false;
    const watch = (async () => {
      while (!done) {
        const health = await globalThis.NewsGist.api.health(serviceUrl, 5);
        if (done) break;
        const phase = health.ok && health.data.status === 'loading' ? 'loading' : health.ok ? 'ready' : 'starting';
        try {
          await onProgress({ phase, seconds: Math.round((Date.now() - began) / 1000) });
        } catch {
          // the panel may be gone; the start goes on
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    })();
    try {
      return await ensure();
    } finally {
      done = true;
      await watch;
    }
  }

  function port(url) {
    try {
      const u = new URL(url);
      return u.port || '80';
    } catch {
      return '';
    }
  }

  /**
   * api.summarize, and when nothing answers: start the service through the helper (the panel
   * in `tabId` hears MESSAGES.starting progress) and ask again. When the helper cannot help,
   * the "unreachable" error says why in `host` ('not_allowed', 'no_host', 'host_error',
   * 'other_port'), so the panel can show the one step that fixes it.
   */
  async function summarizeStarting(tabId, settings, payload) {
    const { api, MESSAGES } = globalThis.NewsGist;
    const first = await api.summarize(settings, payload);
    if (first.ok) return first;
    // A service still loading its model (started a moment ago): the helper waits for it too.
    const loading = first.error.kind === 'busy' && first.error.code === 'model_loading';
    if (first.error.kind !== 'unreachable' && !(loading && (await allowed()))) return first;
    const tell = (progress) => ext.tabs.sendMessage(tabId, { type: MESSAGES.starting, progress });
    await tell({ phase: loading ? 'loading' : 'starting', seconds: 0 }).catch(() => {});
    const started = await startService(settings.serviceUrl, tell);
    if (!started.ok) {
      if (loading) return first;
      return { ok: false, error: { ...first.error, host: started.reason, hostMessage: started.message } };
    }
    if (port(started.url) !== port(settings.serviceUrl)) {
      return { ok: false, error: { ...first.error, host: 'other_port', hostMessage: started.url } };
    }
    return api.summarize(settings, payload);
  }

  globalThis.NewsGist = Object.assign(globalThis.NewsGist || {}, {
    native: { HOST, allowed, requestPermission, ensure, startService, summarizeStarting },
  });
})();
