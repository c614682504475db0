// What the Firefox drivers (smoke.js, digest_smoke.js) share, added by tests/e2e/test_firefox.py
// to the temporary copy of the extension before the driver: the test's settings, a sleep, and
// the POST that hands the test what the driver saw.
(() => {
  const cfg = globalThis.__SMOKE_CFG;
  globalThis.__smoke = {
    cfg,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    report: (data) => fetch(cfg.report, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data),
    }),
  };
})();
