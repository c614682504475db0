// Firefox driver, added only to a temporary copy of the extension by tests/e2e/test_firefox.py: it runs the
// extension's own handlers on the fixture tab and POSTs what the panel showed to the test.
// (Firefox has no Playwright driver here, and no way to "click" the toolbar from outside.)
(async () => {
  const { sleep, report, fixtureTab } = globalThis.__smoke; // driver.js
  const out = { ua: navigator.userAgent };
  try {
    const tab = await fixtureTab();
    out.permissions = await chrome.permissions.getAll();
    out.commands = await chrome.commands.getAll();
    const inTab = async (func) => (await chrome.scripting.executeScript({ target: { tabId: tab.id }, func }))[0].result;
    const readPanel = () => inTab(() => {
      const h = document.getElementById('newsgist-root');
      if (!h) return null;
      const r = h.shadowRoot;
      return {
        state: h.dataset.state,
        sentences: [...r.querySelectorAll('.sentence')].map((b) => b.textContent),
        error: r.querySelector('.error')?.textContent || null,
        panelWidth: r.querySelector('.panel').getBoundingClientRect().width,
        pressed: r.querySelector('.length[aria-pressed=true]')?.dataset.length,
      };
    });
    const waitDone = async () => {
      for (let i = 0; i < 600; i++) {
        const p = await readPanel();
        if (p && p.state !== 'loading') return p;
        await sleep(200);
      }
      return readPanel();
    };
    out.open = await __newsgist.summarizePage(tab);
    out.first = await waitDone();
    await inTab(() => {
      const buttons = document.getElementById('newsgist-root').shadowRoot.querySelectorAll('.sentence');
      buttons[buttons.length - 1].click();
    });
    await sleep(1500); // let the smooth scroll finish before reading the position
    out.jump = await inTab(() => {
      const r = document.getElementById('newsgist-root').shadowRoot;
      return {
        highlights: globalThis.CSS?.highlights?.get('newsgist-sentence')?.size ?? 0,
        marks: document.querySelectorAll('mark.newsgist-mark').length,
        scrollY: window.scrollY,
        status: r.querySelector('.status').textContent,
      };
    });
    await report({ phase: 'jumped' });
    await sleep(5000); // run.py takes its screenshot now
    await inTab(() => {
      document.getElementById('newsgist-root').shadowRoot.querySelector('.length[data-length=long]').click();
    });
    out.long = await waitDone();
  } catch (e) {
    out.error = String((e && e.stack) || e);
  }
  await report(out);
})();
