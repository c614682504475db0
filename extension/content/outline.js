// The outline of a page built of sections, in the panel ("In this article"): the service's
// `outline` (headings in page order, nested by level through `children`, each with the one
// sentence that stands for its section, or none) as a collapsible list of buttons, and as the
// nested list the Copy buttons add after the summary. Injected after lib/dom.js, before
// content/panel.js, which owns the clicks.
(() => {
  const { h } = globalThis.NewsGist;

  function childrenOf(entry) {
    return Array.isArray(entry?.children) ? entry.children : [];
  }

  /** Number of entries, nested ones included. */
  function count(entries) {
    return entries.reduce((n, entry) => n + 1 + count(childrenOf(entry)), 0);
  }

  /**
   * A sentence of `entry`'s section that comes after its heading in the page, for the locator
   * to tell the article's copy of the heading from the others: its own sentence, else the first
   * of its subsections'.
   */
  function anchorOf(entry) {
    if (entry.sentence?.text) return { text: String(entry.sentence.text), context: entry.sentence.context };
    for (const child of childrenOf(entry)) {
      const anchor = anchorOf(child);
      if (anchor) return anchor;
    }
    return null;
  }

  /**
   * The "In this article" block for a summary answer `data`, or null when it has no outline.
   * Open at once on list pages (`outline_kind` "list": the headings are the items a reader
   * looks for), closed on other sectioned pages. `t` is the i18n lookup; `onHeading(entry,
   * button)` and `onSentence(entry, button)` are called on a click.
   */
  function render(data, t, onHeading, onSentence) {
    const entries = Array.isArray(data?.outline) ? data.outline : [];
    if (!entries.length) return null;
    const items = (list) => list.map((entry) => {
      const heading = String(entry.heading ?? '');
      const sentence = entry.sentence?.text ? String(entry.sentence.text) : null;
      const children = childrenOf(entry);
      return h('li', { class: 'outline-entry', 'data-level': entry.level },
        h('button', {
          type: 'button', class: 'outline-heading', 'aria-label': t('panelOutlineHeadingName', [heading]),
          onclick: (event) => onHeading(entry, event.currentTarget),
        }, heading),
        sentence && h('button', {
          type: 'button', class: 'outline-sentence', onclick: (event) => onSentence(entry, event.currentTarget),
        }, sentence),
        children.length > 0 && h('ol', { class: 'outline-list' }, ...items(children)));
    });
    const total = count(entries);
    return h('details', { class: 'outline', open: data.outline_kind === 'list', 'data-kind': data.outline_kind },
      h('summary', { class: 'outline-title' }, t('panelOutline'), h('span', { class: 'outline-count' }, ` (${total})`)),
      h('ol', { class: 'outline-list', 'aria-label': t('panelOutlineLabel') }, ...items(entries)),
      data.outline_truncated && h('p', { class: 'outline-note' }, t('panelOutlineTruncated', [String(total)])));
  }

  /**
   * The outline as a nested list, one line an entry ("- Heading: sentence"), each level two
   * spaces further in. With `markdown` (the escaping of lib/markdown.js) the headings are in bold.
   */
  function lines(entries, markdown, depth = 0) {
    const out = [];
    const flat = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();
    for (const entry of entries) {
      const heading = markdown ? `**${markdown(entry.heading)}**` : flat(entry.heading);
      const sentence = entry.sentence?.text ? String(entry.sentence.text) : '';
      const said = sentence ? `: ${markdown ? markdown(sentence) : flat(sentence)}` : '';
      out.push(`${'  '.repeat(depth)}- ${heading}${said}`);
      out.push(...lines(childrenOf(entry), markdown, depth + 1));
    }
    return out;
  }

  globalThis.__newsgistOutline = { render, lines, anchorOf, count };
})();
