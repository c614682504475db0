// Firefox driver for the outline ("In this article"), added only to a temporary copy of the
// extension by tests/e2e/test_firefox.py: it opens the listicle fixture in the tab, runs the
// extension's own toolbar handler, reads the outline the panel shows, clicks a heading and a
// sentence of it, and POSTs where the highlight landed to the test.
(async () => {
  const { cfg, sleep, report, fixtureTab } = globalThis.__smoke; // driver.js
  const out = { ua: navigator.userAgent };
  try {
    let tab = await fixtureTab();
    await chrome.tabs.update(tab.id, { url: `${cfg.site}/listicle.html` });
    for (let i = 0; i < 240; i++) {
      tab = await chrome.tabs.get(tab.id);
      if (tab.url.endsWith('/listicle.html') && tab.status === 'complete') break;
      await sleep(250);
    }
    const inTab = async (func, args = []) => (await chrome.scripting.executeScript({ target: { tabId: tab.id }, func, args }))[0].result;
    const readPanel = () => inTab(() => {
      const host = document.getElementById('newsgist-root');
      if (!host) return null;
      const r = host.shadowRoot;
      const details = r.querySelector('details.outline');
      const rows = [];
      const walk = (ol, depth) => {
        for (const li of ol.children) {
          rows.push([depth, li.querySelector(':scope > .outline-heading').textContent,
            li.querySelector(':scope > .outline-sentence')?.textContent ?? null]);
          const sub = li.querySelector(':scope > ol');
          if (sub) walk(sub, depth + 1);
        }
      };
      if (details) walk(details.querySelector(':scope > ol'), 0);
      return {
        state: host.dataset.state,
        error: r.querySelector('.error')?.textContent || null,
        outline: details ? rows : null,
        open: details ? details.open : null,
        summary: details?.querySelector('summary').textContent ?? null,
      };
    });
    // Where the highlight is: the Highlight API's range, or the <mark>s of the fallback. The
    // registry is read as the page sees it (a content script's view of it cannot be iterated).
    const readHighlight = () => inTab(() => {
      try {
        const h = (globalThis.wrappedJSObject ?? globalThis).CSS?.highlights?.get('newsgist-sentence');
        let text = null;
        let el = null;
        if (h && h.size === 1) {
          const [range] = [...h];
          text = range.toString();
          el = range.startContainer.parentElement;
        } else {
          const marks = [...document.querySelectorAll('mark.newsgist-mark')];
          text = marks.map((m) => m.textContent).join('');
          el = marks[0] || null;
        }
        return {
          text,
          inArticle: Boolean(el && document.getElementById('story').contains(el)),
          inToc: Boolean(el && document.getElementById('toc').contains(el)),
          heading: el?.closest('h1, h2, h3, h4, h5, h6')?.tagName ?? null,
          status: document.getElementById('newsgist-root').shadowRoot.querySelector('.status').textContent,
        };
      } catch (e) {
        return { failed: String(e?.stack || e) };
      }
    });
    const click = (selector, n) => inTab((sel, i) => {
      const r = document.getElementById('newsgist-root').shadowRoot;
      const details = r.querySelector('details.outline');
      details.open = true;
      const button = r.querySelectorAll(sel)[i];
      button.click();
      return button.textContent;
    }, [selector, n]);

    out.open = await __newsgist.summarizePage(tab);
    for (let i = 0; i < 600; i++) {
      out.panel = await readPanel();
      if (out.panel && out.panel.state !== 'loading') break;
      await sleep(200);
    }
    if (out.panel?.outline?.length) {
      out.headings = [];
      const count = out.panel.outline.length;
      for (let i = 0; i < count; i++) {
        const clicked = await click('.outline-heading', i);
        await sleep(400);
        out.headings.push({ clicked, ...(await readHighlight()) });
      }
      const sentences = out.panel.outline.filter((row) => row[2] !== null).length;
      if (sentences) {
        const clicked = await click('.outline-sentence', sentences - 1);
        await sleep(400);
        out.sentence = { clicked, ...(await readHighlight()) };
      }
    }
  } catch (e) {
    out.error = String((e && e.stack) || e);
  }
  await report(out);
})();
