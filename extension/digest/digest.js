// The digest page: reads the tabs the reader chose (their ids come in the URL, taken when the
// command ran), sends their pages to POST /v1/digest in one request, and shows the stories
// (each summarized once across its sources), the single articles, and every tab that gave no
// summary with the reason. A sentence is a button: it switches to its source tab and finds and
// highlights it there with the panel's own locator (content/locate.js, content/highlight.css).
(() => {
  const {
    ext, getSettings, api, DIGEST_MAX_PAGES: MAX_PAGES, PANEL_HOST_ID, digest, h, t, translate, capturePage, controls,
  } = globalThis.NewsGist;
  const { ACCESS, pageKey, hostOf, planTabs, mapLimited, withTimeout, toMarkdown } = digest;

  const READ_PARALLEL = 4;
  const READ_TIMEOUT_MS = 15_000; // a frozen or hung tab must not stall the digest
  const LOAD_TIMEOUT_MS = 30_000;
  const BUSY_RETRIES = 30; // with the service's Retry-After (1 s while its model loads)
  // From the extension's root: Firefox resolves a relative path against this page's folder.
  // constants.js first, as the worker injects the panel (locate.js reads its names from it).
  const LOCATE_SCRIPTS = ['/lib/constants.js', '/content/locate.js'];
  const HIGHLIGHT_CSS = '/content/highlight.css';
  const OWN_ORIGIN = new URL(ext.runtime.getURL('/')).origin;

  const $ = (id) => document.getElementById(id);

  const params = new URLSearchParams(location.search);
  const chosenIds = (params.get('tabs') || '').split(',').filter(Boolean).map(Number).filter(Number.isInteger);
  const windowId = Number(params.get('window')) || undefined;
  const selectedOnly = params.get('scope') === 'selected';

  // What the page knows: the captured pages (kept, so another length needs no second read),
  // the tabs that gave nothing, and the model the view and the Markdown are built from.
  let captured = [];
  let unread = [];
  let length = 'short';
  let view = null;
  let answer = null; // the service's last answer, which the Markdown is written from
  let lengthButtons = [];
  let seq = 0;

  function setState(state) {
    document.body.dataset.state = state;
    if (state !== 'error') delete document.body.dataset.errorKind;
    document.querySelector('main').setAttribute('aria-busy', String(state === 'reading' || state === 'summarizing'));
  }

  function say(text) {
    $('status').textContent = text;
  }

  const progressLog = []; // every progress text shown, for the end-to-end tests

  function progress(text, value, max) {
    progressLog.push(text);
    $('progress').hidden = false;
    $('progressText').textContent = text;
    const bar = $('progressBar');
    if (max === undefined) {
      bar.removeAttribute('value'); // indeterminate: the service answers all pages at once
      bar.removeAttribute('max');
    } else {
      bar.max = max;
      bar.value = value;
    }
  }

  function translatePage() {
    translate();
    const heading = t(selectedOnly ? 'digestTitleSelected' : 'digestTitle');
    $('heading').textContent = heading;
    document.title = heading;
  }

  // ---- which tabs --------------------------------------------------------------------------

  /** The chosen tabs as they are now; a tab closed since the command is listed, not lost. */
  async function chosenTabs() {
    if (!chosenIds.length) {
      const own = await ext.tabs.getCurrent();
      const tabs = await ext.tabs.query(windowId ? { windowId } : { currentWindow: true });
      return { tabs: tabs.filter((tab) => tab.id !== own?.id), closed: 0 };
    }
    const got = await Promise.all(chosenIds.map((id) => ext.tabs.get(id).catch(() => null)));
    return { tabs: got.filter(Boolean), closed: got.filter((tab) => !tab).length };
  }

  async function start() {
    translatePage();
    const settings = await getSettings();
    length = settings.defaultLength;
    buildLengths();
    const { tabs } = await chosenTabs();
    // Without the optional access the browser hides the address of every tab NewsGist may not
    // read: ask only when there is such a tab and the access is not held yet.
    const hidden = tabs.some((tab) => !tab.url && !tab.pendingUrl);
    if (hidden && !(await ext.permissions.contains(ACCESS))) {
      showAccess();
      return;
    }
    readAndSummarize();
  }

  function showAccess() {
    setState('access');
    $('access').hidden = false;
    $('allow').focus();
  }

  // The request must start in the click's own task (Firefox insists): no await before it.
  $('allow').addEventListener('click', () => {
    setState('asking');
    $('accessDenied').hidden = true;
    ext.permissions.request(ACCESS).then((granted) => {
      if (document.body.dataset.state !== 'asking') return; // the reader went on without it
      if (granted) {
        $('access').hidden = true;
        readAndSummarize();
      } else {
        setState('access');
        $('accessDenied').hidden = false;
      }
    }, (e) => {
      if (document.body.dataset.state !== 'asking') return;
      setState('access');
      $('accessDenied').hidden = false;
      $('accessDenied').textContent = `${t('digestAccessDenied')} (${String(e?.message || e)})`;
    });
  });

  $('withoutAccess').addEventListener('click', () => {
    $('access').hidden = true;
    readAndSummarize();
  });

  // ---- reading the tabs --------------------------------------------------------------------

  function leftOut(tab, reason, detail) {
    // A tab whose address the browser hides is named by its place in the window.
    const title = tab?.title || (tab && !tab.url && !tab.pendingUrl ? t('digestTabNumber', [String(tab.index + 1)]) : '');
    return { tabId: tab?.id, url: tab?.url || tab?.pendingUrl || '', title, reason, detail };
  }

  async function readTab(tab) {
    const [injection] = await withTimeout(
      ext.scripting.executeScript({ target: { tabId: tab.id }, func: capturePage, args: [PANEL_HOST_ID, true] }),
      READ_TIMEOUT_MS, t('digestReadTimeout'));
    const page = injection?.result;
    if (!page || typeof page.html !== 'string') throw new Error(t('errorNoAnswer'));
    return page;
  }

  async function readAndSummarize() {
    const mine = ++seq;
    setState('reading');
    clearResults();
    $('error').hidden = true;
    const { tabs, closed } = await chosenTabs();
    const plan = planTabs(tabs, OWN_ORIGIN);
    unread = plan.unread.map(({ tab, reason, sameAs }) => leftOut(tab, reason, sameAs ? sameAs.title || sameAs.url : undefined));
    for (let i = 0; i < closed; i++) unread.push(leftOut(null, 'closed'));
    const toRead = plan.read.slice(0, MAX_PAGES);
    for (const tab of plan.read.slice(MAX_PAGES)) unread.push(leftOut(tab, 'too_many', String(MAX_PAGES)));

    let done = 0;
    progress(t('digestReading', [String(done), String(toRead.length)]), done, toRead.length);
    const results = await mapLimited(toRead, READ_PARALLEL, async (tab) => {
      try {
        const page = await readTab(tab);
        if (!/html|xml/i.test(page.contentType || 'text/html')) {
          return { left: leftOut(tab, /pdf/i.test(page.contentType) ? 'pdf' : 'not_html', page.contentType) };
        }
        return { tab, page };
      } catch (e) {
        return { left: leftOut(tab, 'capture', String(e?.message || e)) };
      } finally {
        done++;
        if (mine === seq) progress(t('digestReading', [String(done), String(toRead.length)]), done, toRead.length);
      }
    });
    if (mine !== seq) return;
    captured = results.filter((r) => r.page);
    unread.push(...results.filter((r) => r.left).map((r) => r.left));
    await summarize();
  }

  // ---- summarizing -------------------------------------------------------------------------

  async function summarize() {
    const mine = ++seq;
    clearResults();
    $('error').hidden = true;
    if (!captured.length) {
      $('progress').hidden = true;
      setState('done');
      view = { heading: $('heading').textContent, stories: [], singles: [], failed: [], unread: unreadView() };
      answer = null;
      render();
      say(t('digestNothingRead'));
      return;
    }
    setState('summarizing');
    progress(t('digestSummarizing', [String(captured.length)]));
    const settings = await getSettings();
    const payload = {
      pages: captured.map(({ page }) => ({ html: page.html, url: page.url, title: page.title })),
      length,
    };
    // The reader's time limit is for one page; a digest of many pages may take longer.
    const timeoutSeconds = Math.min(600, Math.max(settings.timeoutSeconds, 10 * captured.length));
    let result = await api.digest(settings, payload, timeoutSeconds);
    // A service still loading its model says when to come back: wait for it (a while) rather
    // than make the reader press Retry.
    for (let attempt = 0; !result.ok && result.error.kind === 'busy' && result.error.retryAfter && attempt < BUSY_RETRIES; attempt++) {
      if (mine !== seq) return;
      progress(t('digestWaitingForService'));
      await new Promise((resolve) => setTimeout(resolve, Math.min(result.error.retryAfter, 10) * 1000));
      if (mine !== seq) return;
      progress(t('digestSummarizing', [String(captured.length)]));
      result = await api.digest(settings, payload, timeoutSeconds);
    }
    if (mine !== seq) return;
    $('progress').hidden = true;
    if (!result.ok) {
      showError(result.error);
      return;
    }
    view = buildView(result.data);
    answer = result.data;
    setState('done');
    render();
    say(t('digestHint'));
  }

  /** The tab a page of the answer came from: by its index in the request, else by URL. */
  function tabFor(page, url) {
    if (Number.isInteger(page) && captured[page]) return captured[page].tab;
    const key = pageKey(url || '');
    const hit = captured.find(({ page, tab }) => pageKey(page.url) === key || pageKey(tab.url || '') === key);
    return hit?.tab;
  }

  function siteOf(site, url) {
    return String(site || hostOf(url) || url || '');
  }

  function unreadView() {
    return unread.map((u) => ({
      ...u, reasonKey: u.reason, reason: u.reason === 'capture' || u.reason === 'not_html' || u.reason === 'too_many' || u.reason === 'duplicate'
        ? t(`digestWhy_${u.reason}`, [u.detail || '']) : t(`digestWhy_${u.reason}`),
    }));
  }

  function buildView(data) {
    const stories = (Array.isArray(data.stories) ? data.stories : []).map((story) => {
      const sources = (story.sources || []).map((s) => ({
        url: String(s.url || ''), title: String(s.title || s.url || ''), site: siteOf(s.site, s.url), tabId: tabFor(s.page, s.url)?.id,
      }));
      const sentences = (story.sentences || []).map((s) => ({
        text: String(s.text), source: Number(s.source) || 0,
        also_in: (Array.isArray(s.also_in) ? s.also_in : []).map(Number).filter((i) => sources[i]),
      }));
      return { title: String(story.title || sources[0]?.title || ''), sources, sentences };
    });
    const singles = (Array.isArray(data.singles) ? data.singles : []).map((single) => {
      const tab = tabFor(single.page, single.url);
      const url = String(single.url || tab?.url || '');
      return {
        url, title: String(single.title || tab?.title || url), site: siteOf(single.site, url), tabId: tab?.id,
        sentences: (single.sentences || []).map((s) => ({ text: String(s.text) })),
      };
    });
    const failed = (Array.isArray(data.failed) ? data.failed : []).map((f) => {
      const tab = tabFor(f.page, f.url);
      const error = f.error && typeof f.error === 'object' ? f.error : f;
      return {
        tabId: tab?.id, url: String(f.url || tab?.url || ''), title: String(f.title || tab?.title || ''),
        code: String(error.code || ''), reason: String(error.message || error.code || t('errorTitle_server')),
      };
    });
    const warnings = (Array.isArray(data.warnings) ? data.warnings : [])
      .map((w) => String(typeof w === 'object' ? w.message || JSON.stringify(w) : w));
    return { heading: $('heading').textContent, stories, singles, failed, unread: unreadView(), warnings };
  }

  // ---- rendering ---------------------------------------------------------------------------

  function clearResults() {
    for (const id of ['stories', 'singles', 'failed', 'unread']) $(id).hidden = true;
    for (const id of ['storyList', 'singleList', 'failedList', 'unreadList', 'notes']) $(id).replaceChildren();
    $('notes').hidden = true;
    $('toolbar').hidden = true;
    say('');
  }

  function sentenceButton(sentence, source, label) {
    return h('li', {}, h('button', {
      type: 'button', class: 'sentence', 'data-source': source.site,
      onclick: (event) => jump(source, sentence.text, event.currentTarget),
    }, h('span', { class: 'text' }, sentence.text), label && h('span', { class: 'label' }, label)));
  }

  function tabButton(item, text) {
    if (item.tabId === undefined) return h('span', { class: 'tab-title' }, text);
    return h('button', { type: 'button', class: 'tab-link', onclick: () => showTab(item) }, text);
  }

  function renderStory(story, i) {
    const headingId = `story-${i}`;
    const sources = story.sources.map((s) => h('li', {},
      h('span', { class: 'site' }, s.site), ' ', tabButton(s, s.title)));
    const sentences = story.sentences.map((s) => {
      const src = story.sources[s.source] || story.sources[0];
      const also = s.also_in.filter((k) => k !== s.source).map((k) => story.sources[k].site);
      const label = also.length ? t('digestLabelAlso', [src.site, also.join(', ')]) : src.site;
      return sentenceButton(s, src, label);
    });
    return h('article', { class: 'story', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, story.title),
      h('ul', { class: 'sources', 'aria-label': t('digestSourcesLabel') }, ...sources),
      h('ol', { class: 'sentences', 'aria-label': t('panelSentencesLabel') }, ...sentences));
  }

  function renderSingle(single, i) {
    const headingId = `single-${i}`;
    return h('article', { class: 'single', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, single.title),
      h('p', { class: 'sources' }, h('span', { class: 'site' }, single.site), ' ', tabButton(single, single.url)),
      h('ol', { class: 'sentences', 'aria-label': t('panelSentencesLabel') },
        ...single.sentences.map((s) => sentenceButton(s, single, null))));
  }

  function renderLeftOut(item) {
    return h('li', { 'data-reason': item.code || item.reasonKey || '' },
      tabButton(item, item.title || item.url || t('digestUnknownTab')),
      item.url && item.title ? h('span', { class: 'url' }, ` ${item.url}`) : null,
      h('span', { class: 'reason' }, item.reason));
  }

  /** Fills section `id` (heading `${id}Heading`, with the count) with `items`; hidden if none. */
  function showSection(id, listId, headingKey, items, renderItem) {
    $(`${id}Heading`).textContent = t(headingKey, [String(items.length)]);
    $(listId).replaceChildren(...items.map(renderItem));
    $(id).hidden = items.length === 0;
  }

  function render() {
    const { stories, singles, failed } = view;
    const left = view.unread;
    showSection('stories', 'storyList', 'digestStoriesHeading', stories, renderStory);
    showSection('singles', 'singleList', 'digestSinglesHeadingCount', singles, renderSingle);
    showSection('failed', 'failedList', 'digestFailedHeading', failed, renderLeftOut);
    showSection('unread', 'unreadList', 'digestUnreadHeading', left, renderLeftOut);
    $('meta').textContent = t('digestMeta', [String(stories.length), String(singles.length),
      String(failed.length + left.length), new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })]);
    $('toolbar').hidden = stories.length + singles.length === 0;
    $('notes').replaceChildren(...(view.warnings || []).map((w) => h('li', {}, w)));
    $('notes').hidden = !view.warnings?.length;
    markLength();
  }

  // ---- errors ------------------------------------------------------------------------------

  function showError(e) {
    const kind = e?.kind || 'server';
    setState('error');
    document.body.dataset.errorKind = kind;
    const title = { no_article: t('digestErrorTitle'), too_large: t('digestErrorTooLarge') }[kind] || t(`errorTitle_${kind}`);
    const parts = [h('p', { class: 'error-title' }, title)];
    const detail = controls.errorDetail({ ...e, kind });
    if (detail) parts.push(h('p', { class: 'error-detail' }, detail));
    if (kind === 'unreachable') parts.push(...controls.notRunningHelp());
    const retry = h('button', { type: 'button', class: 'action primary', onclick: () => summarize() }, t('panelRetry'));
    const settings = h('button', { type: 'button', class: 'action', onclick: () => ext.runtime.openOptionsPage() }, t('panelSettings'));
    parts.push(h('div', { class: 'buttons' }, retry, settings));
    $('error').replaceChildren(...parts);
    $('error').hidden = false;
    view = { heading: $('heading').textContent, stories: [], singles: [], failed: [], unread: unreadView() };
    $('unreadHeading').textContent = t('digestUnreadHeading', [String(view.unread.length)]);
    $('unreadList').replaceChildren(...view.unread.map(renderLeftOut));
    $('unread').hidden = view.unread.length === 0;
    retry.focus();
  }

  // ---- jumping to a sentence in its tab ----------------------------------------------------

  function waitForLoad(tabId) {
    return new Promise((resolve) => {
      const done = () => {
        ext.tabs.onUpdated.removeListener(listener);
        clearTimeout(timer);
        resolve();
      };
      const listener = (id, change) => {
        if (id === tabId && change.status === 'complete') done();
      };
      const timer = setTimeout(done, LOAD_TIMEOUT_MS);
      ext.tabs.onUpdated.addListener(listener);
    });
  }

  /**
   * Brings `source`'s tab to the front. A tab closed or moved to another page since the digest
   * is opened again with its page (and `source` remembers the new tab).
   */
  async function showTab(source) {
    let tab = source.tabId === undefined ? null : await ext.tabs.get(source.tabId).catch(() => null);
    if (tab && tab.url && pageKey(tab.url) !== pageKey(source.url)) tab = null;
    if (!tab) {
      if (!source.url) return null;
      const own = await ext.tabs.getCurrent();
      tab = await ext.tabs.create({ url: source.url, windowId: own?.windowId, index: own ? own.index + 1 : undefined, active: true });
      await waitForLoad(tab.id);
      source.tabId = tab.id;
    } else {
      await ext.tabs.update(tab.id, { active: true });
    }
    await ext.windows.update(tab.windowId, { focused: true }).catch(() => {});
    return tab;
  }

  /** The panel's highlight path: locate.js + highlight.css in the tab, then jumpTo. */
  async function highlightIn(tabId, text) {
    const target = { tabId };
    const [probe] = await ext.scripting.executeScript({ target, func: () => Boolean(globalThis.__newsgistLocate) });
    if (!probe?.result) {
      await ext.scripting.insertCSS({ target, files: [HIGHLIGHT_CSS] });
      await ext.scripting.executeScript({ target, files: LOCATE_SCRIPTS });
    }
    const [hit] = await ext.scripting.executeScript({
      target, args: [text, PANEL_HOST_ID],
      func: (sentence, hostId) => globalThis.__newsgistLocate.jumpTo(sentence, document.getElementById(hostId)),
    });
    return hit?.result || { found: false };
  }

  async function jump(source, text, button) {
    for (const b of document.querySelectorAll('.sentence[aria-current]')) b.removeAttribute('aria-current');
    button.setAttribute('aria-current', 'true');
    button.classList.remove('missing');
    try {
      const tab = await showTab(source);
      if (!tab) {
        say(t('digestTabGone'));
        return;
      }
      const hit = await highlightIn(tab.id, text);
      if (!hit.found) {
        button.classList.add('missing');
        say(t('panelNotFound'));
        return;
      }
      say(t(hit.exact ? 'digestJumped' : 'digestJumpedApprox', [source.site]));
    } catch (e) {
      button.classList.add('missing');
      say(`${t('digestJumpFailed')} ${String(e?.message || e)}`);
    }
  }

  // ---- length and copy ---------------------------------------------------------------------

  function buildLengths() {
    lengthButtons = controls.lengthButtons((key) => {
      length = key;
      markLength();
      summarize();
    });
    $('lengths').replaceChildren(...lengthButtons);
  }

  function markLength() {
    controls.markLength(lengthButtons, length);
  }

  $('copyMarkdown').addEventListener('click', async () => {
    if (!view) return;
    const text = toMarkdown(answer, view.unread, t);
    try {
      await navigator.clipboard.writeText(text);
      say(t('digestCopiedMarkdown'));
    } catch {
      say(t('panelCopyFailed'));
    }
  });

  $('again').addEventListener('click', () => readAndSummarize());

  // Handles for the end-to-end tests (page.evaluate): the page's own model, nothing else.
  globalThis.__newsgistDigest = { get view() { return view; }, progressLog };

  start().catch((e) => showError({ kind: 'capture', message: String(e?.message || e) }));
})();
