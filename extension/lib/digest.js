// The digest of open tabs, the parts that are not the page's UI: which tabs can be read and
// why the others cannot, capturing a tab's HTML, and the Markdown of a finished digest.
// Loaded as a classic script by digest/digest.html (after settings.js and api.js).
(() => {
  const ext = globalThis.browser ?? globalThis.chrome;

  /**
   * What the digest asks for on first use (both are optional in the manifest): host access to
   * read the pages in the tabs, and `tabs` to see the address and title of tabs it cannot read
   * (browser pages, files), so that they can be listed instead of silently skipped.
   */
  const ACCESS = Object.freeze({ permissions: ['tabs'], origins: ['http://*/*', 'https://*/*'] });

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

  /**
   * Runs in the tab (scripting.executeScript): the live page's HTML without scripts and styles
   * (they carry no article text, and many pages are mostly script: the digest body has a size
   * limit), its URL, title and content type. `hostId`: the panel's host (PANEL_HOST_ID), left out.
   */
  function capturePage(hostId) {
    const root = document.documentElement.cloneNode(true);
    for (const el of root.querySelectorAll(`script, style, template, #${hostId}`)) el.remove();
    return { html: root.outerHTML, url: location.href, title: document.title, contentType: document.contentType };
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

  function escapeMarkdown(s) {
    return String(s).replace(/\s+/g, ' ').trim().replace(/([\\`*_[\]<>])/g, '\\$1');
  }

  function mdLink(text, url) {
    if (!url) return escapeMarkdown(text);
    const href = String(url).replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\s/g, '%20');
    return `[${escapeMarkdown(text || url)}](${href})`;
  }

  /**
   * The whole digest as Markdown, every sentence linked to its source page.
   * `view` is the page's model: {heading, stories, singles, failed, unread} where a story is
   * {title, sources: [{url, title, site}], sentences: [{text, source, also_in}]}, a single is
   * {title, url, site, sentences: [{text}]}, and failed/unread entries are {title, url, reason}.
   */
  function toMarkdown(view, t) {
    const lines = [`# ${escapeMarkdown(view.heading)}`, ''];
    for (const story of view.stories) {
      lines.push(`## ${escapeMarkdown(story.title)}`, '');
      lines.push(`${t('digestSourcesLabel')} ${story.sources.map((s) => mdLink(`${s.site}: ${s.title}`, s.url)).join(' · ')}`, '');
      for (const s of story.sentences) {
        const src = story.sources[s.source] || {};
        const also = (s.also_in || []).map((i) => story.sources[i]).filter(Boolean);
        const credit = [mdLink(src.site || '', src.url), ...also.map((a) => mdLink(a.site, a.url))].join(', ');
        lines.push(`- ${escapeMarkdown(s.text)} (${credit})`);
      }
      lines.push('');
    }
    if (view.singles.length) {
      lines.push(`## ${escapeMarkdown(t('digestSinglesHeading'))}`, '');
      for (const single of view.singles) {
        lines.push(`### ${mdLink(single.title, single.url)} (${escapeMarkdown(single.site)})`, '');
        for (const s of single.sentences) lines.push(`- ${escapeMarkdown(s.text)}`);
        lines.push('');
      }
    }
    const left = [...view.failed, ...view.unread];
    if (left.length) {
      lines.push(`## ${escapeMarkdown(t('digestLeftOutHeading'))}`, '');
      for (const item of left) lines.push(`- ${mdLink(item.title || item.url || t('digestUnknownTab'), item.url)}: ${escapeMarkdown(item.reason)}`);
      lines.push('');
    }
    return `${lines.join('\n').replace(/\n+$/, '')}\n`;
  }

  globalThis.NewsGist = Object.assign(globalThis.NewsGist || {}, {
    digest: { ACCESS, ext, pageKey, hostOf, unreadableReason, planTabs, capturePage, mapLimited, withTimeout, toMarkdown },
  });
})();
