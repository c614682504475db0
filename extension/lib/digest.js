// The digest of open tabs, the parts that are not the page's UI: which tabs can be read and
// why the others cannot, and the Markdown of a finished digest. Loaded as a classic script by
// digest/digest.html (after settings.js, api.js and markdown.js).
(() => {
  const ext = globalThis.browser ?? globalThis.chrome;

  /**
   * What the digest asks for on first use (both are optional in the manifest): host access to
   * read the pages in the tabs, and `tabs` to see the address and title of tabs it cannot read
   * (browser pages, files), so that they can be listed instead of silently skipped.
   */
  const ACCESS = Object.freeze({ permissions: ['tabs'], origins: [...globalThis.NewsGist.PAGE_ORIGINS] });

  // Sites where the browsers forbid every extension to run scripts.
  const STORE_HOSTS = new Set(['chromewebstore.google.com', 'chrome.google.com', 'addons.mozilla.org',
    'microsoftedge.microsoft.com']);

  /** Same page, whatever the #fragment. */
  function pageKey(url) {
    try {
      const u = new URL(url);
      u.hash = '';
      return u.href;
    } catch {
      return String(url);
    }
  }

  function hostOf(url) {
    try {
      return new URL(url).hostname;
    } catch {
      return '';
    }
  }

  /**
   * Why a tab cannot be read, or null when it can be. Reasons (message keys `digestWhy_<reason>`):
   *   hidden     the browser does not show NewsGist this tab's address (access not granted)
   *   browser    a browser page (chrome://, about:, the new tab page, other extensions)
   *   file       a file on this computer
   *   not_web    another kind of address (data:, blob:, ftp:, ...)
   *   store      an extension store page (no extension may read it)
   *   pdf        a PDF document
   *   discarded  unloaded by the browser to save memory
   */
  function unreadableReason(tab) {
    const url = tab.url || tab.pendingUrl || '';
    if (!url) return 'hidden';
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      return 'not_web';
    }
    if (parsed.protocol === 'file:') return 'file';
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return /^(chrome|about|edge|brave|opera|vivaldi|chrome-extension|moz-extension|extension|view-source|devtools|chrome-search|chrome-untrusted):$/
        .test(parsed.protocol) ? 'browser' : 'not_web';
    }
    if (STORE_HOSTS.has(parsed.hostname) && (parsed.hostname !== 'chrome.google.com' || parsed.pathname.startsWith('/webstore'))) {
      return 'store';
    }
    if (tab.discarded || tab.status === 'unloaded') return 'discarded';
    if (/\.pdf$/i.test(parsed.pathname)) return 'pdf';
    return null;
  }

  /**
   * Splits the tabs (in tab-strip order) into those to read and those that cannot be read, with
   * the reason. The extension's own pages (an earlier digest) are left out; a second tab with the
   * same page is listed as a duplicate of the first, not read twice.
   */
  function planTabs(tabs, ownOrigin) {
    const read = [];
    const unread = [];
    const seen = new Map();
    for (const tab of [...tabs].sort((a, b) => (a.windowId - b.windowId) || (a.index - b.index))) {
      if (ownOrigin && (tab.url || '').startsWith(ownOrigin)) continue;
      const reason = unreadableReason(tab);
      if (reason) {
        unread.push({ tab, reason });
        continue;
      }
      const key = pageKey(tab.url);
      if (seen.has(key)) {
        unread.push({ tab, reason: 'duplicate', sameAs: seen.get(key) });
        continue;
      }
      seen.set(key, tab);
      read.push(tab);
    }
    return { read, unread };
  }

  /** Runs `work(item, i)` over `items` with at most `limit` at a time; results in order. */
  async function mapLimited(items, limit, work) {
    const results = new Array(items.length);
    let next = 0;
    async function worker() {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i], i);
      }
    }
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
  }

  /** Resolves to `promise`'s value, or rejects with `message` after `ms` milliseconds. */
  function withTimeout(promise, ms, message) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * The digest as Markdown, in the service's format (service/newsgist/stories/render.py
   * `to_markdown`; tests/test_extension_markdown.py holds them to it): a section a story, its
   * sources linked, each sentence credited to the sites that carry it; a section a single
   * article; the pages not summarized last. `answer`: the service's /v1/digest JSON; `leftOut`:
   * the tabs never sent to it, [{title, url, reason}], listed with its failures; `t`: the i18n
   * lookup (NewsGist.t).
   */
  function toMarkdown(answer, leftOut, t) {
    const { text, link } = globalThis.NewsGist.markdown;
    const pageName = (page) => t('digestPageNumber', [String(Number(page) + 1)]);
    const name = (source) => source.site || source.title || pageName(source.page);
    const out = [];
    for (const story of answer?.stories ?? []) {
      const sources = story.sources ?? [];
      out.push(`## ${text(story.title)}`, '');
      out.push(`${t('digestSourcesLabel')} ${sources.map((s) => link(s.title && s.site ? `${name(s)}: ${s.title}` : name(s), s.url)).join(', ')}`, '');
      for (const x of story.sentences ?? []) {
        const names = [x.source, ...(x.also_in ?? [])].map((i) => name(sources[i] ?? {}));
        out.push(`- ${text(x.text)} (${names.map(text).join(', ')})`);
      }
      out.push('');
    }
    for (const one of answer?.singles ?? []) {
      out.push(`## ${link(one.title || one.site || pageName(one.page), one.url)}${one.site ? ` (${text(one.site)})` : ''}`, '');
      out.push(...(one.sentences ?? []).map((s) => `- ${text(s.text)}`), '');
    }
    const failed = (answer?.failed ?? []).map((f) => ({
      title: f.title || f.url || pageName(f.page), url: f.url, reason: f.error?.message ?? '',
    }));
    const left = [...failed, ...leftOut.map((u) => ({ ...u, title: u.title || u.url || t('digestUnknownTab') }))];
    if (left.length) {
      out.push(`## ${t('digestLeftOutHeading')}`, '');
      for (const item of left) out.push(`- ${link(item.title, item.url)}: ${text(item.reason)}`);
      out.push('');
    }
    return `${out.join('\n').replace(/\s+$/, '')}\n`;
  }

  globalThis.NewsGist = Object.assign(globalThis.NewsGist || {}, {
    digest: { ACCESS, ext, pageKey, hostOf, unreadableReason, planTabs, mapLimited, withTimeout, toMarkdown },
  });
})();
