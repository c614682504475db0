// NewsGist background: the toolbar button, the keyboard command and the context menu open the
// in-page panel; the panel asks this worker for summaries. Only this worker talks to the
// service (a content-script fetch to loopback would be a page-origin request, blocked by the
// browsers' local-network rules). Chromium runs this file as a service worker, Firefox as an
// event page whose manifest `scripts` already loaded the lib files.
if (typeof importScripts === 'function' && !globalThis.NewsGist?.api) {
  importScripts('lib/constants.js', 'lib/settings.js', 'lib/api.js', 'lib/native.js', 'lib/capture.js');
}

const { ext, getSettings, LENGTHS, COMMANDS, MESSAGES, PANEL_HOST_ID, native, capturePage } = globalThis.NewsGist;

const MENU_ID = 'newsgist-summarize-selection';
// constants.js first: the content scripts read their names from it.
const PANEL_SCRIPTS = ['lib/constants.js', 'lib/dom.js', 'lib/i18n.js', 'lib/markdown.js', 'lib/controls.js',
  'content/locate.js', 'content/outline.js', 'content/panel.js'];
const PAGE_CSS = 'content/highlight.css';
// The panel's shadow root gets these as one sheet: the colours and the rules it shares with the
// digest page first.
const PANEL_CSS = ['lib/palette.css', 'lib/common.css', 'content/panel.css'];

let panelCssText = null;

async function panelCss() {
  if (panelCssText === null) {
    const texts = await Promise.all(PANEL_CSS.map(async (file) => (await fetch(ext.runtime.getURL(file))).text()));
    panelCssText = texts.join('\n');
  }
  return panelCssText;
}

function errorText(e) {
  return String((e && e.message) || e);
}

/** Tell the reader on the toolbar button when no panel can be shown (e.g. browser pages). */
async function flagTab(tabId, message) {
  try {
    await ext.action.setBadgeBackgroundColor({ tabId, color: '#b3261e' });
    await ext.action.setBadgeText({ tabId, text: '!' });
    await ext.action.setTitle({ tabId, title: ext.i18n.getMessage('badgeCannotRun', [message]) });
  } catch {
    // the tab may be gone
  }
}

async function unflagTab(tabId) {
  try {
    await ext.action.setBadgeText({ tabId, text: '' });
    await ext.action.setTitle({ tabId, title: ext.i18n.getMessage('actionTitle') });
  } catch {
    // the tab may be gone
  }
}

/** Injects the panel (once per document) and opens it with `request`. */
async function openPanel(tab, request) {
  const tabId = tab.id;
  try {
    const [probe] = await ext.scripting.executeScript({
      target: { tabId },
      func: () => Boolean(globalThis.__newsgistPanel?.alive()),
    });
    if (!probe?.result) {
      await ext.scripting.insertCSS({ target: { tabId }, files: [PAGE_CSS] });
      await ext.scripting.executeScript({ target: { tabId }, files: PANEL_SCRIPTS });
    }
    const css = await panelCss();
    await ext.scripting.executeScript({
      target: { tabId },
      func: (req, styles) => globalThis.__newsgistPanel.open(req, styles),
      args: [request, css],
    });
    await unflagTab(tabId);
    return { ok: true };
  } catch (e) {
    await flagTab(tabId, errorText(e));
    return { ok: false, error: errorText(e) };
  }
}

function whereAmI() {
  return { url: location.href, title: document.title };
}

function captureSelection() {
  const sel = globalThis.getSelection();
  return sel ? sel.toString() : '';
}

/**
 * What the panel asks for: {mode: 'page'} or {mode: 'selection', text}, with an optional
 * length. Resolves to the service's answer, or to an error the panel can explain.
 */
// Pages remembered in this worker's life, by tab and URL, with the `since` each got: a change of
// length asks again for the same page, which must neither be stored twice nor lose its `since`.
const remembered = new Map();

/**
 * Whether to send `remember` (docs/history.md): only when the reader switched history on, never
 * from a private window, once per page in a tab.
 */
function rememberFor(settings, tabId, incognito, url) {
  if (!settings.rememberHistory || incognito || !url) return false;
  return !remembered.has(`${tabId} ${url}`);
}

function noteRemembered(tabId, url, result) {
  const key = `${tabId} ${url}`;
  if (result.ok && result.data && 'since' in result.data) {
    remembered.set(key, result.data.since);
    if (remembered.size > 200) remembered.delete(remembered.keys().next().value);
  } else if (result.ok && result.data && remembered.has(key)) {
    result.data.since = remembered.get(key);
  }
}

async function summarizeFor(tabId, request, incognito = false) {
  const settings = await getSettings();
  const length = Object.hasOwn(LENGTHS, request.length) ? request.length : settings.defaultLength;
  const context = { length, mode: request.mode, serviceUrl: settings.serviceUrl };
  let payload;
  try {
    if (request.mode === 'selection') {
      const text = String(request.text || '').trim();
      if (!text) return { ...context, ok: false, error: { kind: 'empty_selection' } };
      const [where] = await ext.scripting.executeScript({ target: { tabId }, func: whereAmI });
      payload = { text, ...where.result, length };
    } else {
      // The live page after its scripts ran, scripts and all (lib/capture.js).
      const [page] = await ext.scripting.executeScript({ target: { tabId }, func: capturePage, args: [PANEL_HOST_ID, false] });
      const { html, url, title } = page.result;
      payload = { html, url, title, length };
    }
    context.source = { url: payload.url, title: payload.title };
  } catch (e) {
    return { ...context, ok: false, error: { kind: 'capture', message: errorText(e) } };
  }
  if (request.mode !== 'selection' && rememberFor(settings, tabId, incognito, payload.url)) payload.remember = true;
  // Not running? The native helper starts it (see lib/native.js), then it is asked again.
  const result = await native.summarizeStarting(tabId, settings, payload);
  if (request.mode !== 'selection' && settings.rememberHistory) noteRemembered(tabId, payload.url, result);
  return { ...context, ...result };
}

async function summarizePage(tab) {
  const { defaultLength } = await getSettings();
  return openPanel(tab, { mode: 'page', length: defaultLength });
}

async function summarizeSelection(info, tab) {
  let text = '';
  try {
    const [sel] = await ext.scripting.executeScript({
      target: { tabId: tab.id, frameIds: [info.frameId || 0] },
      func: captureSelection,
    });
    text = sel?.result || '';
  } catch {
    // fall back to what the browser gave us (it may be shortened)
  }
  if (!text.trim()) text = info.selectionText || '';
  const { defaultLength } = await getSettings();
  return openPanel(tab, { mode: 'selection', text, length: defaultLength });
}

async function activeTab() {
  const [tab] = await ext.tabs.query({ active: true, lastFocusedWindow: true });
  return tab;
}

// Digest of open tabs: the command, the menu item and the panel's button open the digest page,
// which does the rest (digest/digest.js). The tabs are chosen here, before the new page changes
// which tab is active and selected; ids need no permission, addresses and pages do.
const DIGEST_MENU_ID = 'newsgist-summarize-tabs';

/** Opens the digest of the selected tabs of `tab`'s window, or of all its tabs when one is selected. */
async function openDigest(tab) {
  const windowId = tab?.windowId ?? (await ext.windows.getLastFocused()).id;
  const selected = await ext.tabs.query({ windowId, highlighted: true });
  const several = selected.length > 1;
  const tabs = several ? selected : await ext.tabs.query({ windowId });
  const params = new URLSearchParams({
    window: String(windowId), tabs: tabs.map((t) => t.id).join(','), scope: several ? 'selected' : 'window',
  });
  const active = selected.find((t) => t.active) || tab;
  return ext.tabs.create({
    windowId, index: active ? active.index + 1 : undefined, url: ext.runtime.getURL(`digest/digest.html?${params}`),
  });
}

function createMenus() {
  ext.contextMenus.removeAll(() => {
    ext.contextMenus.create({
      id: MENU_ID,
      title: ext.i18n.getMessage('menuSummarizeSelection'),
      contexts: ['selection'],
    });
    ext.contextMenus.create({
      id: DIGEST_MENU_ID,
      title: ext.i18n.getMessage('menuDigestTabs'),
      contexts: ['action', 'page'],
    });
  });
}

// Listeners are registered synchronously at start-up so they wake the worker.
ext.runtime.onInstalled.addListener(createMenus);

ext.action.onClicked.addListener((tab) => summarizePage(tab));

ext.commands.onCommand.addListener(async (command, tab) => {
  if (command === COMMANDS.summarizeTabs) await openDigest(tab);
  if (command !== COMMANDS.summarizePage) return;
  const target = tab?.id !== undefined ? tab : await activeTab();
  if (target) await summarizePage(target);
});

ext.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === MENU_ID && tab) summarizeSelection(info, tab);
  if (info.menuItemId === DIGEST_MENU_ID) openDigest(tab);
});

ext.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (!msg || typeof msg.type !== 'string' || sender.id !== ext.runtime.id) return false;
  if (msg.type === MESSAGES.summarize && sender.tab) {
    summarizeFor(sender.tab.id, msg.request || {}, Boolean(sender.tab.incognito)).then(sendResponse);
    return true;
  }
  if (msg.type === MESSAGES.allowStart && sender.tab) {
    ext.tabs.create({ url: ext.runtime.getURL(`permission/permission.html?tab=${sender.tab.id}`) });
    return false;
  }
  if (msg.type === MESSAGES.digestTabs && sender.tab) {
    openDigest(sender.tab);
    return false;
  }
  if (msg.type === MESSAGES.openHistory) {
    ext.tabs.create({ url: ext.runtime.getURL('history/history.html') });
    return false;
  }
  if (msg.type === MESSAGES.openOptions) {
    ext.runtime.openOptionsPage();
    return false;
  }
  return false;
});

// Handles for the end-to-end tests (service_worker.evaluate); they are the listeners' own code.
globalThis.__newsgist = { summarizePage, summarizeSelection, summarizeFor, openPanel, getSettings, openDigest };
