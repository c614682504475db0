// Firefox driver for the reading history, added only to a temporary copy of the extension by
// tests/e2e/test_firefox_history.py: with history on, two pages of one story are summarized with
// the add-on's own toolbar handler; the second panel must say what is new. Then the history page
// is opened, searched, one entry forgotten and the rest cleared through its own buttons.
(async () => {
  const { cfg, sleep, report, fixtureTab, settled } = globalThis.__smoke; // driver.js
  const out = { ua: navigator.userAgent };
  try {
    const tab = await fixtureTab();
    await chrome.storage.sync.set({ rememberHistory: true, historyOffered: true });
    const inTab = async (func) => (await chrome.scripting.executeScript({ target: { tabId: tab.id }, func }))[0].result;
    const goTo = async (url) => {
      await chrome.tabs.update(tab.id, { url });
      for (let i = 0; i < 240; i++) {
        const t = await chrome.tabs.get(tab.id);
        if (t.url === url && t.status === 'complete') return;
        await sleep(250);
      }
      throw new Error(`${url} did not load`);
    };
    const readPanel = () => inTab(() => {
      const h = document.getElementById('newsgist-root');
      if (!h) return null;
      const r = h.shadowRoot;
      const since = r.querySelector('.since');
      return {
        state: h.dataset.state,
        sentences: [...r.querySelectorAll('.sentence')].map((b) => b.textContent),
        sinceShown: Boolean(since && !since.hidden),
        sinceHeading: since?.querySelector('h3')?.textContent || null,
        sinceTitle: since?.querySelector('h3 em')?.textContent || null,
        sinceNew: since ? [...since.querySelectorAll('.since-new li')].map((li) => li.textContent) : [],
      };
    });
    const waitDone = () => settled(readPanel);
    await goTo(`${cfg.site}/history/fire-1.html`);
    await __newsgist.summarizePage(await chrome.tabs.get(tab.id));
    out.first = await waitDone();
    await goTo(`${cfg.site}/history/fire-2.html`);
    await __newsgist.summarizePage(await chrome.tabs.get(tab.id));
    out.later = await waitDone();
    out.pageText = await inTab(() => document.querySelector('article').textContent);

    // The history page, driven through its own DOM (an extension page: getViews reaches it).
    const historyUrl = chrome.runtime.getURL('history/history.html');
    await chrome.tabs.create({ url: historyUrl });
    let view = null;
    const until = async (test) => {
      for (let i = 0; i < 200; i++) {
        if (test()) return true;
        await sleep(100);
      }
      return false;
    };
    await until(() => (view = chrome.extension.getViews({ type: 'tab' }).find((v) => v.location.href === historyUrl)));
    const doc = () => view.document;
    await until(() => doc().querySelectorAll('.entry').length === 2);
    out.listed = [...doc().querySelectorAll('.entry h3')].map((e) => e.textContent);
    out.days = doc().querySelectorAll('.day h2').length;
    doc().getElementById('q').value = 'evacuation of villages';
    doc().getElementById('search').requestSubmit();
    await until(() => /found/.test(doc().getElementById('status').textContent));
    out.found = doc().querySelectorAll('.entry').length;
    doc().getElementById('q').value = '';
    doc().getElementById('q').dispatchEvent(new view.Event('input'));
    await until(() => doc().querySelectorAll('.day').length === 1);
    doc().querySelector('button.forget').click();
    await until(() => /Forgot/.test(doc().getElementById('status').textContent));
    out.afterForget = doc().querySelectorAll('.entry').length;
    doc().getElementById('clear').click();
    const dialog = doc().getElementById('confirm');
    out.dialogOpen = dialog.open;
    dialog.querySelector('button[value=clear]').click();
    await until(() => /Deleted/.test(doc().getElementById('status').textContent));
    out.afterClear = doc().querySelectorAll('.entry').length;
    out.service = await (await fetch(`${cfg.service}/v1/history`)).json();
  } catch (e) {
    out.error = String((e && e.stack) || e);
  }
  await report(out);
})();
