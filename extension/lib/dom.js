// The element builder the in-page panel and the extension's pages share. Loaded as a classic
// script after lib/constants.js (injected ahead of content/panel.js, a <script> tag in the
// pages): it adds NewsGist.h.
(() => {
  /**
   * Tiny element builder: h('button', {class: 'x', onclick: f}, 'text', child). An attribute
   * or a child that is null, undefined or false is left out.
   */
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
    return el;
  }

  globalThis.NewsGist = Object.assign(globalThis.NewsGist || {}, { h });
})();
