// The in-page summary panel. Injected on demand (activeTab + scripting); it lives in a
// shadow root so the page's styles cannot reach it and its styles cannot reach the page.
// It shows a loading state at once, asks the background worker for the summary, and
// renders the answer or an error the reader can act on.
(() => {
  const ext = globalThis.browser ?? globalThis.chrome;
  // A copy left by a reloaded extension has lost its runtime: replace it.
  if (globalThis.__newsgistPanel?.alive()) return;
  globalThis.__newsgistPanel?.close();

  const locate = globalThis.__newsgistLocate;
  const outline = globalThis.__newsgistOutline; // content/outline.js
  // lib/constants.js, dom.js (h), i18n.js (t), markdown.js and controls.js are injected before this script.
  const { PANEL_HOST_ID: HOST_ID, MESSAGES, h, t, markdown, controls } = globalThis.NewsGist;
  const ERROR_KINDS = new Set(globalThis.NewsGist.ERROR_KINDS);
  const SETTINGS_HELPS = new Set(['unreachable', 'timeout', 'refused', 'not_newsgist']);

  let ui = null; // DOM handles while the panel is open
  let current = null; // {request, result}
  let seq = 0; // ignores answers to superseded requests
  let returnFocus = null;

  function applyStyles(root, css) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(h('style', {}, css));
    }
  }

  function build(css) {
    const host = h('div', { id: HOST_ID, 'data-state': 'loading' });
    host.setAttribute('style', 'all: initial !important; display: block !important;');
    const root = host.attachShadow({ mode: 'open' });
    applyStyles(root, css);

    const heading = h('h2', { class: 'title', id: 'ng-title' });
    const scope = h('p', { class: 'scope', hidden: true }, t('panelScopeSelection'));
    const close = h('button', {
      type: 'button', class: 'icon-button', 'aria-label': t('panelClose'), title: t('panelCloseTitle'), onclick: closePanel,
    }, '\u00d7');
    const lengthButtons = controls.lengthButtons((length) => rerun({ length }));
    const lengths = h('div', { class: 'lengths', role: 'group', 'aria-label': t('panelLengthLabel') }, ...lengthButtons);
    const meta = h('p', { class: 'meta' });
    const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const error = h('div', { class: 'error', role: 'alert', hidden: true });
    // Once, after a first summary: the reading history is offered (it is off after install).
    const offer = h('section', { class: 'offer', hidden: true, 'aria-label': t('panelOfferLabel') });
    // "New since you read <title> (date)": a story read before (the reading history).
    const since = h('section', { class: 'since', hidden: true, 'aria-labelledby': 'ng-since' });
    const list = h('ol', { class: 'sentences', 'aria-label': t('panelSentencesLabel') });
    // The page's outline ("In this article", content/outline.js) goes here, below the summary.
    const sections = h('div', { class: 'sections', hidden: true });
    const body = h('div', { class: 'body' }, list, sections);
    const notes = h('ul', { class: 'notes', hidden: true });
    const copyText = h('button', { type: 'button', class: 'action', onclick: () => copy('text') }, t('panelCopyText'));
    const copyMarkdown = h('button', { type: 'button', class: 'action', onclick: () => copy('markdown') }, t('panelCopyMarkdown'));
    const actions = h('div', { class: 'actions', hidden: true }, copyText, copyMarkdown);
    // Opens the digest of all tabs of the window (or the selected ones) in a page of its own.
    const digestTabs = h('button', {
      type: 'button', class: 'action digest-tabs', title: t('panelDigestTabsTitle'),
      onclick: () => ext.runtime.sendMessage({ type: MESSAGES.digestTabs }),
    }, t('panelDigestTabs'));

    const panel = h('section', {
      class: 'panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'ng-title', tabindex: '-1',
    },
    h('header', { class: 'bar' }, h('span', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), t('extShortName')),
      h('span', { class: 'bar-end' }, digestTabs, close)),
    heading, scope, meta, lengths, status, error, since, body, notes, actions, offer);

    // Keys pressed in the panel are not the page's business (news sites bind j/k, space, ...).
    for (const type of ['keydown', 'keyup', 'keypress']) {
      panel.addEventListener(type, (event) => {
        if (type === 'keydown' && event.key === 'Escape') closePanel();
        event.stopPropagation();
      });
    }
    root.append(panel);
    document.documentElement.append(host);
    return { host, root, panel, heading, scope, meta, lengthButtons, status, error, since, list, sections, notes, actions, offer };
  }

  function setState(state) {
    ui.host.dataset.state = state;
    delete ui.host.dataset.starting;
    ui.panel.setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
    if (state !== 'error') delete ui.host.dataset.errorKind;
  }

  function markLength(length) {
    controls.markLength(ui.lengthButtons, length);
  }

  function setStatus(...content) {
    ui.status.replaceChildren(...content);
  }

  function minutes(value) {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) return '?';
    if (n < 1) return t('minutesUnderOne');
    return t('minutes', [String(Math.round(n))]);
  }

  function whyTooltip(why) {
    if (!why || typeof why !== 'object') return null;
    const lines = Object.entries(why).map(([k, v]) => {
      const value = typeof v === 'number' ? v.toFixed(3) : String(v);
      return `${k.replace(/_/g, ' ')}: ${value}`;
    });
    return lines.length ? `${t('panelWhy')}\n${lines.join('\n')}` : null;
  }

  function showLoading(request) {
    setState('loading');
    markLength(request.length);
    ui.heading.textContent = document.title || t('panelUntitled');
    ui.scope.hidden = request.mode !== 'selection';
    ui.meta.textContent = '';
    ui.error.hidden = true;
    ui.error.replaceChildren();
    ui.list.replaceChildren();
    ui.since.replaceChildren();
    ui.since.hidden = true;
    ui.offer.replaceChildren();
    ui.offer.hidden = true;
    ui.sections.replaceChildren();
    ui.sections.hidden = true;
    ui.notes.hidden = true;
    ui.actions.hidden = true;
    setStatus(h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      t(request.mode === 'selection' ? 'panelLoadingSelection' : 'panelLoading'));
  }

  function showResult(result) {
    const data = result.data;
    const sentences = Array.isArray(data.sentences) ? data.sentences : [];
    const stats = data.stats || {};
    setState('done');
    ui.heading.textContent = data.title || result.source?.title || document.title || t('panelUntitled');
    ui.meta.textContent = t('panelMeta', [
      minutes(stats.reading_minutes_article), minutes(stats.reading_minutes_summary),
      String(sentences.length), String(stats.sentences_total ?? '?'),
    ]);
    ui.list.replaceChildren(...sentences.map((s, i) => h('li', {},
      h('button', {
        type: 'button', class: 'sentence', 'data-index': s.index, title: whyTooltip(s.why),
        onclick: (event) => jump(i, event.currentTarget),
      }, String(s.text)))));
    showSince(data.since);
    offerHistory();
    const block = outline.render(data, t, jumpToHeading, jumpToOutlineSentence);
    ui.sections.replaceChildren(...(block ? [block] : []));
    ui.sections.hidden = !block;
    const notes = (Array.isArray(data.warnings) ? data.warnings : []).map((w) => String(typeof w === 'object' ? w.message || JSON.stringify(w) : w));
    if (data.truncated) notes.push(t('panelTruncated'));
    ui.notes.replaceChildren(...notes.map((n) => h('li', {}, n)));
    ui.notes.hidden = notes.length === 0;
    ui.actions.hidden = sentences.length === 0;
    setStatus(sentences.length ? t('panelHint') : t('panelNoSentences'));
  }

  /** What is new in this story since the reader last read it (`since` of a remembered page). */
  function showSince(since) {
    const read = since && Array.isArray(since.read) ? since.read : [];
    if (!read.length) return;
    const last = read[0];
    const when = new Date(String(last.read_at));
    const date = Number.isNaN(when.getTime()) ? '' : when.toLocaleDateString(undefined, { dateStyle: 'medium' });
    const title = String(last.title || last.url || t('panelUntitled'));
    const fresh = Array.isArray(since.new) ? since.new : [];
    const [before, after] = t('panelSinceHeading', ['\uE000', date]).split('\uE000');
    ui.since.replaceChildren(
      h('h3', { id: 'ng-since' }, before, h('em', {}, title), after ?? ''),
      fresh.length ? h('ul', { class: 'since-new' }, ...fresh.map((s) => h('li', {}, String(s.text))))
        : h('p', { class: 'since-none' }, t('panelSinceNothing')),
      ...(read.length > 1 ? [h('p', { class: 'since-more' }, t('panelSinceMore', [String(read.length - 1)]))] : []),
      h('button', {
        type: 'button', class: 'action link', onclick: () => ext.runtime.sendMessage({ type: MESSAGES.openHistory }),
      }, t('panelOpenHistory')));
    ui.since.hidden = false;
  }

  /** The first time a summary is shown (never in a private window): offer the reading history. */
  async function offerHistory() {
    if (ext.extension?.inIncognitoContext || !ui) return;
    let stored;
    try {
      stored = await ext.storage.sync.get({ historyOffered: false, rememberHistory: false });
    } catch {
      return;
    }
    if (stored.historyOffered || stored.rememberHistory || !ui) return;
    const answer = async (on) => {
      await ext.storage.sync.set(on ? { historyOffered: true, rememberHistory: true } : { historyOffered: true });
      if (!ui) return;
      ui.offer.replaceChildren(h('p', {}, t(on ? 'panelOfferOn' : 'panelOfferOff')));
    };
    ui.offer.replaceChildren(
      h('p', {}, t('panelOfferText')),
      h('div', { class: 'offer-actions' },
        h('button', { type: 'button', class: 'action primary', onclick: () => answer(true) }, t('panelOfferYes')),
        h('button', { type: 'button', class: 'action', onclick: () => answer(false) }, t('panelOfferNo'))));
    ui.offer.hidden = false;
  }

  function showError(result) {
    const e = result.error || { kind: 'server' };
    const kind = ERROR_KINDS.has(e.kind) ? e.kind : 'server';
    setState('error');
    ui.host.dataset.errorKind = kind;
    if (result.length) markLength(result.length);
    const parts = [h('p', { class: 'error-title' }, t(`errorTitle_${kind}`))];
    const detail = controls.errorDetail({ ...e, kind });
    if (detail) parts.push(h('p', { class: 'error-detail' }, detail));
    if (kind === 'unreachable') {
      parts.push(...controls.notRunningHelp(), ...selfStartHelp(e));
    }
    const retry = h('button', { type: 'button', class: 'action primary', onclick: () => rerun({}) }, t('panelRetry'));
    const buttons = [retry];
    if (kind === 'unreachable' && e.host === 'not_allowed') {
      buttons.push(h('button', {
        type: 'button', class: 'action', onclick: () => ext.runtime.sendMessage({ type: MESSAGES.allowStart }),
      }, t('panelAllowStart')));
    }
    if (SETTINGS_HELPS.has(kind)) {
      buttons.push(h('button', {
        type: 'button', class: 'action', onclick: () => ext.runtime.sendMessage({ type: MESSAGES.openOptions }),
      }, t('panelSettings')));
    }
    parts.push(h('div', { class: 'error-actions' }, ...buttons));
    ui.error.replaceChildren(...parts);
    ui.error.hidden = false;
    setStatus('');
    retry.focus({ preventScroll: true });
  }

  /** Why the native helper (lib/native.js) could not start the service, and the one step that fixes it. */
  function selfStartHelp(e) {
    const host = h('pre', { class: 'command' }, h('code', {}, 'newsgist host install'));
    switch (e.host) {
      case 'not_allowed': return [h('p', { class: 'self-start' }, t('errorSelfStartAllow')), host];
      case 'no_host': return [h('p', { class: 'self-start' }, t('errorSelfStartInstall')), host];
      case 'host_error': return [h('p', { class: 'self-start' }, t('errorSelfStartFailed', [e.hostMessage || '?']))];
      case 'other_port': return [h('p', { class: 'self-start' }, t('errorSelfStartOtherPort', [e.hostMessage || '?', e.serviceUrl]))];
      default: return [];
    }
  }

  /** Progress of a service the helper is starting: {phase: 'starting'|'loading'|'ready', seconds}. */
  function showStarting(progress) {
    if (!ui || ui.host.dataset.state !== 'loading') return;
    ui.host.dataset.starting = String(progress.phase);
    const detail = progress.phase === 'loading' ? t('panelStartingModel', [String(progress.seconds ?? 0)])
      : progress.phase === 'ready' ? t('panelLoading') : t('panelStartingProcess', [String(progress.seconds ?? 0)]);
    setStatus(h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('panelStarting'), ' ', detail);
  }

  ext.runtime.onMessage.addListener((msg, sender) => {
    if (sender.id !== ext.runtime.id || !msg || !ui) return;
    if (msg.type === MESSAGES.starting) showStarting(msg.progress || {});
    if (msg.type === MESSAGES.retry) rerun({});
  });

  async function run(request) {
    const mine = ++seq;
    current = { request, result: null };
    showLoading(request);
    let result;
    try {
      result = await ext.runtime.sendMessage({ type: MESSAGES.summarize, request });
    } catch (e) {
      result = { ok: false, error: { kind: 'capture', message: String(e?.message || e) } };
    }
    if (mine !== seq || !ui) return;
    result = result || { ok: false, error: { kind: 'capture', message: t('errorNoAnswer') } };
    current.result = result;
    if (result.length) current.request = { ...request, length: result.length };
    if (result.ok) showResult(result);
    else showError(result);
  }

  function rerun(changes) {
    if (!current) return;
    locate.clear();
    run({ ...current.request, ...changes });
  }

  /** Marks `button` as the one shown in the page and says so, or says the text is gone. */
  function showJump(button, hit, said) {
    for (const b of ui.root.querySelectorAll('[aria-current]')) b.removeAttribute('aria-current');
    if (!hit.found) {
      button.classList.add('missing');
      setStatus(t('panelNotFound'));
      return;
    }
    button.setAttribute('aria-current', 'true');
    setStatus(said);
  }

  function jump(i, button) {
    const sentence = current?.result?.data?.sentences?.[i];
    if (!sentence) return;
    const hit = locate.jumpTo(String(sentence.text), ui.host, sentence.context);
    const total = current.result.data.sentences.length;
    showJump(button, hit, t(hit.exact ? 'panelJumped' : 'panelJumpedApprox', [String(i + 1), String(total)]));
  }

  /** An outline heading: its article copy (the locator uses a sentence of its section to tell). */
  function jumpToHeading(entry, button) {
    if (!ui) return;
    const heading = String(entry.heading);
    const hit = locate.jumpToHeading(heading, ui.host, outline.anchorOf(entry));
    showJump(button, hit, t('panelJumpedHeading', [heading]));
  }

  /** The sentence that stands for an outline section, found as summary sentences are. */
  function jumpToOutlineSentence(entry, button) {
    if (!ui || !entry.sentence) return;
    const hit = locate.jumpTo(String(entry.sentence.text), ui.host, entry.sentence.context);
    showJump(button, hit, t(hit.exact ? 'panelJumpedOutline' : 'panelJumpedOutlineApprox', [String(entry.heading)]));
  }

  /** The summary (and the outline, if any) as the Copy buttons give it: Markdown or plain text. */
  function summaryText(format) {
    const { data, source } = current.result;
    const title = data.title || source?.title || document.title || '';
    const url = data.url || source?.url || location.href;
    const sentences = data.sentences.map((s) => String(s.text).replace(/\s+/g, ' ').trim());
    const sections = Array.isArray(data.outline) ? data.outline : [];
    if (format === 'markdown') {
      const summary = `**${markdown.link(title || url, url)}**\n\n${sentences.map((s) => `- ${markdown.text(s)}`).join('\n')}\n`;
      if (!sections.length) return summary;
      return `${summary}\n**${markdown.text(t('panelOutline'))}**\n\n${outline.lines(sections, markdown.text).join('\n')}\n`;
    }
    const summary = `${title ? `${title}\n` : ''}${url}\n\n${sentences.map((s) => `- ${s}`).join('\n')}\n`;
    if (!sections.length) return summary;
    return `${summary}\n${t('panelOutline')}:\n${outline.lines(sections).join('\n')}\n`;
  }

  function legacyCopy(text) {
    const area = h('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
    area.value = text;
    ui.root.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }

  async function copy(format) {
    if (!current?.result?.ok) return;
    const text = summaryText(format);
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch {
      ok = legacyCopy(text);
    }
    setStatus(t(ok ? (format === 'markdown' ? 'panelCopiedMarkdown' : 'panelCopiedText') : 'panelCopyFailed'));
  }

  function closePanel() {
    seq++;
    locate.clear();
    if (ui) ui.host.remove();
    ui = null;
    current = null;
    if (returnFocus && returnFocus.isConnected && typeof returnFocus.focus === 'function') {
      returnFocus.focus({ preventScroll: true });
    }
    returnFocus = null;
  }

  /** Entry point, called by the background worker: {mode: 'page'|'selection', text?, length}. */
  function open(request, css) {
    if (!ui) {
      document.getElementById(HOST_ID)?.remove();
      returnFocus = document.activeElement;
      ui = build(css);
    }
    ui.panel.focus({ preventScroll: true });
    locate.clear();
    run(request);
  }

  const alive = () => Boolean(ext.runtime?.id);

  globalThis.__newsgistPanel = { open, close: closePanel, alive };
})();
