// Settings shared by the background worker and the options page (chrome.storage.sync).
// Loaded as a classic script after lib/constants.js: importScripts() in the Chromium service
// worker, background.scripts in Firefox, a <script> tag in the options page.
(() => {
  const ext = globalThis.browser ?? globalThis.chrome;
  const { LENGTHS, DEFAULT_SERVICE_URL, SERVICE_HOSTS } = globalThis.NewsGist;

  const DEFAULTS = Object.freeze({
    serviceUrl: DEFAULT_SERVICE_URL,
    defaultLength: 'short',
    timeoutSeconds: 60,
    // The reading history (docs/history.md): off after install; never from a private window.
    rememberHistory: false,
  });

  // host_permissions only cover these hosts, and the page must never go anywhere else.
  const ALLOWED_HOSTS = new Set(SERVICE_HOSTS);

  /**
   * Checks a service URL typed by the user.
   * @returns {{ok: true, url: string} | {ok: false, reason: 'invalid' | 'scheme' | 'host'}}
   */
  function normalizeServiceUrl(raw) {
    let url;
    try {
      url = new URL(String(raw).trim());
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (url.protocol !== 'http:') return { ok: false, reason: 'scheme' };
    if (!ALLOWED_HOSTS.has(url.hostname)) return { ok: false, reason: 'host' };
    return { ok: true, url: url.origin };
  }

  function clampTimeout(value) {
    const n = Number(value);
    if (!Number.isFinite(n)) return DEFAULTS.timeoutSeconds;
    return Math.min(600, Math.max(1, n));
  }

  /** Current settings, with defaults for anything missing or invalid. */
  async function getSettings() {
    const stored = await ext.storage.sync.get(DEFAULTS);
    const url = normalizeServiceUrl(stored.serviceUrl);
    return {
      serviceUrl: url.ok ? url.url : DEFAULTS.serviceUrl,
      defaultLength: Object.hasOwn(LENGTHS, stored.defaultLength) ? stored.defaultLength : DEFAULTS.defaultLength,
      timeoutSeconds: clampTimeout(stored.timeoutSeconds),
      rememberHistory: stored.rememberHistory === true,
    };
  }

  async function saveSettings(values) {
    await ext.storage.sync.set(values);
  }

  globalThis.NewsGist = Object.assign(globalThis.NewsGist || {}, {
    ext, DEFAULTS, normalizeServiceUrl, clampTimeout, getSettings, saveSettings,
  });
})();
