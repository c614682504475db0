// What the Firefox drivers (smoke.js, digest_smoke.js) share, added by tests/e2e/test_firefox.py
// to the temporary copy of the extension before the driver: the test's settings, a sleep, the
// fixture tab, and the POST that hands the test what the driver saw.
(() => {
  const cfg = globalThis.__SMOKE_CFG;
  globalThis.__smoke = {
    cfg,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    report: (data) => fetch(cfg.report, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data),
    }),
    /** What `read()` answers once the panel has left its loading state (or after ~2 minutes). */
    async settled(read) {
      for (let i = 0; i < 600; i++) {
        const p = await read();
        if (p && p.state !== 'loading') return p;
        await new Promise((r) => setTimeout(r, 200));
      }
      return read();
    },
    /** The settings pointed at the test's service, then the tab web-ext opened on the site, loaded. */
    async fixtureTab() {
      await chrome.storage.sync.set({ serviceUrl: cfg.service });
      for (let i = 0; i < 240; i++) {
        const tabs = await chrome.tabs.query({});
        const tab = tabs.find((t) => (t.url || '').startsWith(cfg.site) && t.status === 'complete');
        if (tab) return tab;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error('fixture tab not found');
    },
  };
})();
