// Markdown as the service writes it (service/newsgist/stories/render.py, `_md` and `_link`), so
// that what the panel and the digest page copy reads like what `newsgist digest --markdown`
// prints; tests/test_extension_markdown.py runs both on the same digest. Loaded as a classic
// script (injected ahead of content/panel.js, a <script> tag in the digest page; node in the
// test): it adds NewsGist.markdown.
(() => {
  // Python's str.split() whitespace, which render.py collapses: JS's \s without U+FEFF, with the
  // separators U+001C..U+001F and U+0085.
  const SPACE = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
  const MARKUP = /[\\`*_[\]<>#|]/g;

  /** Text safe inside Markdown: on one line, every character that would start markup escaped. */
  function text(s) {
    return String(s ?? '').replace(SPACE, ' ').replace(/^ | $/g, '').replace(MARKUP, '\\$&');
  }

  /** A link to `url` (http and https only; other addresses give the label alone). */
  function link(label, url) {
    const href = String(url ?? '');
    if (!/^https?:\/\//.test(href)) return text(label);
    return `[${text(label)}](<${href.replace(/>/g, '%3E').replace(/ /g, '%20')}>)`;
  }

  globalThis.NewsGist = Object.assign(globalThis.NewsGist || {}, { markdown: Object.freeze({ text, link }) });
})();
