// The extension's strings (_locales): the lookup every part uses, and the translation of a
// page's marked elements. Loaded as a classic script after lib/constants.js (injected ahead of
// content/panel.js, a <script> tag in the pages): it adds NewsGist.t and NewsGist.translate.
(() => {
  const ext = globalThis.browser ?? globalThis.chrome;

  /** The message `key` with its placeholders `subs`; the key itself when there is none. */
  function t(key, subs) {
    return ext.i18n.getMessage(key, subs) || key;
  }

  /**
   * Fills the elements under `root` that name a message: `data-i18n` gives the text (kept as
   * written in the HTML when the message is missing), `data-i18n-label` the aria-label.
   */
  function translate(root = document) {
    for (const el of root.querySelectorAll('[data-i18n]')) {
      const text = ext.i18n.getMessage(el.dataset.i18n);
      if (text) el.textContent = text;
    }
    for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  }

  globalThis.NewsGist = Object.assign(globalThis.NewsGist || {}, { t, translate });
})();
