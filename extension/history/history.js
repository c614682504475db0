// The reading history page: search, a list by day with each entry's summary, forget one, clear
// all, export as Markdown. It talks to the service itself (an extension page: host_permissions).
(() => {
  const { getSettings, api, h, t, translate } = globalThis.NewsGist;
  const $ = (id) => document.getElementById(id);
  const days = $('days');
  const status = $('status');
  const more = $('more');
  const PAGE = 50;
  let settings = null;
  let shown = []; // entries on the page, newest first (or best match first, searching)
  let query = '';

  translate();
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) {
    const text = t(el.dataset.i18nPlaceholder);
    if (text !== el.dataset.i18nPlaceholder) el.placeholder = text;
  }

  function say(text, kind = '') {
    status.textContent = text;
    status.dataset.kind = kind;
  }

  function failed(result) {
    const e = result.error || {};
    if (e.kind === 'unreachable') say(t('historyUnreachable', [e.serviceUrl || settings.serviceUrl]), 'error');
    else say(`${t('historyFailed')} ${e.message || e.status || ''}`.trim(), 'error');
  }

  function dayOf(entry) {
    const when = new Date(entry.read_at);
    return Number.isNaN(when.getTime()) ? '?' : when.toLocaleDateString(undefined, { dateStyle: 'full' });
  }

  function timeOf(entry) {
    const when = new Date(entry.read_at);
    return Number.isNaN(when.getTime()) ? '' : when.toLocaleTimeString(undefined, { timeStyle: 'short' });
  }

  function entryItem(entry) {
    const title = String(entry.title || entry.url || t('panelUntitled'));
    const link = entry.url && /^https?:/i.test(entry.url)
      ? h('a', { href: entry.url, target: '_blank', rel: 'noopener noreferrer' }, title) : h('span', {}, title);
    const forget = h('button', {
      type: 'button', class: 'forget', 'aria-label': t('historyForgetLabel', [title]),
      onclick: () => forgetEntry(entry, forget),
    }, t('historyForget'));
    return h('li', { class: 'entry', 'data-id': entry.id },
      h('div', { class: 'entry-head' }, h('h3', {}, link), forget),
      h('p', { class: 'entry-meta' }, [timeOf(entry), entry.site].filter(Boolean).join(' · ')),
      h('ul', { class: 'entry-summary' }, ...(entry.summary || []).map((s) => h('li', {}, String(s)))));
  }

  /** Newest first, grouped by day; a search keeps its ranking, one list. */
  function render() {
    days.replaceChildren();
    if (query) {
      days.append(h('ol', { class: 'entries', 'aria-label': t('historyResults') }, ...shown.map(entryItem)));
      return;
    }
    let list = null;
    let day = null;
    for (const entry of shown) {
      const d = dayOf(entry);
      if (d !== day) {
        day = d;
        const heading = h('h2', {}, d);
        list = h('ol', { class: 'entries' });
        days.append(h('section', { class: 'day' }, heading, list));
      }
      list.append(entryItem(entry));
    }
  }

  async function load(append = false) {
    const before = append && shown.length ? shown[shown.length - 1].read_at : undefined;
    say(t('historyLoading'));
    const result = await api.history(settings, { q: query || undefined, limit: PAGE, before });
    if (!result.ok) return failed(result);
    const entries = Array.isArray(result.data.entries) ? result.data.entries : [];
    shown = append ? shown.concat(entries) : entries;
    render();
    more.hidden = Boolean(query) || entries.length < PAGE;
    if (!shown.length) say(t(query ? 'historyNoMatch' : 'historyEmpty'));
    else say(query ? t('historyFound', [String(shown.length)]) : '');
  }

  async function forgetEntry(entry, button) {
    button.disabled = true;
    const result = await api.forget(settings, entry.id);
    if (!result.ok && result.error?.code !== 'unknown_entry') {
      button.disabled = false;
      return failed(result);
    }
    const index = shown.findIndex((e) => e.id === entry.id);
    shown = shown.filter((e) => e.id !== entry.id);
    render();
    say(t('historyForgotten', [String(entry.title || entry.url || '')]), 'ok');
    // Keep the keyboard where it was: the next entry's button, else the search box.
    const next = days.querySelectorAll('button.forget')[Math.min(index, shown.length - 1)];
    (next || $('q')).focus();
  }

  $('search').addEventListener('submit', (event) => {
    event.preventDefault();
    query = $('q').value.trim();
    load();
  });
  $('q').addEventListener('input', () => {
    if (!$('q').value.trim() && query) {
      query = '';
      load();
    }
  });
  more.addEventListener('click', () => load(true));

  $('clear').addEventListener('click', () => $('confirm').showModal());
  $('confirm').addEventListener('close', async () => {
    if ($('confirm').returnValue !== 'clear') return;
    const result = await api.clearHistory(settings);
    if (!result.ok) return failed(result);
    shown = [];
    render();
    say(t('historyCleared', [String(result.data.deleted ?? 0)]), 'ok');
  });

  $('export').addEventListener('click', async () => {
    const result = await api.exportHistory(settings);
    if (!result.ok) return failed(result);
    const url = URL.createObjectURL(new Blob([result.text], { type: 'text/markdown' }));
    const a = h('a', { href: url, download: 'newsgist-history.md' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say(t('historyExported'), 'ok');
  });

  // "/" jumps to the search box, as on many sites' search pages.
  document.addEventListener('keydown', (event) => {
    if (event.key === '/' && document.activeElement?.tagName !== 'INPUT') {
      event.preventDefault();
      $('q').focus();
    }
  });

  (async () => {
    settings = await getSettings();
    if (!settings.rememberHistory) {
      $('off').textContent = t('historyOff');
      $('off').hidden = false;
    }
    load();
  })();
})();
