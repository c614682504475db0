// Firefox driver for the digest of tabs, added only to a temporary copy of the extension by
// tests/e2e/test_firefox.py (test_firefox_digests_the_tabs): opens the three digest fixture tabs, two of them on 'localhost' and
// '127.0.0.1' (two sites), selects them, runs the extension's own openDigest, reads the digest
// page (an extension tab: extension.getViews), clicks a sentence and reports what happened.
(async () => {
  const { cfg, sleep, report } = globalThis.__smoke; // driver.js
  const out = { ua: navigator.userAgent };
  try {
    await browser.storage.sync.set({ serviceUrl: cfg.service });
    out.commands = await browser.commands.getAll();
    const urls = [`${cfg.site}/digest/gazette-bridge.html`, `${cfg.site}/digest/gazette-orchard.html`,
      `${cfg.other}/digest/courier-bridge.html`];
    const made = [];
    for (const url of urls) made.push(await browser.tabs.create({ url }));
    let tabs = [];
    for (let i = 0; i < 240; i++) {
      tabs = await Promise.all(made.map((t) => browser.tabs.get(t.id)));
      if (tabs.every((t) => t.status === 'complete')) break;
      await sleep(250);
    }
    await browser.tabs.highlight({ windowId: tabs[0].windowId, tabs: tabs.map((t) => t.index) });
    const [active] = await browser.tabs.query({ active: true, windowId: tabs[0].windowId });
    await __newsgist.openDigest(active);
    let view = null;
    for (let i = 0; i < 1200 && !view; i++) {
      const w = browser.extension.getViews({ type: 'tab' }).find((v) => v.location.pathname.endsWith('/digest/digest.html'));
      if (w && ['done', 'error', 'access'].includes(w.document.body.dataset.state)) view = w;
      else await sleep(250);
    }
    if (!view) throw new Error('the digest page did not finish');
    const d = view.document;
    out.state = d.body.dataset.state;
    out.progressLog = view.__newsgistDigest.progressLog;
    out.sites = [...d.querySelectorAll('.story .sources .site')].map((e) => e.textContent).sort();
    out.stories = d.querySelectorAll('.story').length;
    out.singles = d.querySelectorAll('.single').length;
    const button = d.querySelector('.story .sentence[data-source=localhost]');
    out.clicked = button.querySelector('.text').textContent;
    const hint = d.getElementById('status').textContent;
    button.click();
    for (let i = 0; i < 120 && d.getElementById('status').textContent === hint; i++) await sleep(250);
    out.status = d.getElementById('status').textContent;
    const [now] = await browser.tabs.query({ active: true, windowId: tabs[0].windowId });
    out.activeUrl = now.url;
    out.highlight = (await browser.scripting.executeScript({
      target: { tabId: now.id },
      args: [out.clicked],
      // Firefox's content-script wrappers do not iterate a Highlight: check that one range is
      // registered and that it is where the extension's locator finds the sentence.
      func: (sentence) => {
        const h = globalThis.CSS?.highlights?.get('newsgist-sentence');
        if (h && h.size === 1) return globalThis.__newsgistLocate.find(sentence)?.range.toString() || '';
        return [...document.querySelectorAll('mark.newsgist-mark')].map((m) => m.textContent).join('') || '';
      },
    }))[0].result;
    out.expectedUrl = urls[2];
  } catch (e) {
    out.error = String((e && e.stack) || e);
  }
  await report(out);
})();
