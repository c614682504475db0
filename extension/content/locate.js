// Finds summary sentences and outline headings in the live page and highlights them.
//
// The service returns sentences verbatim from the article text it extracted from the page
// HTML, but whitespace may differ from the DOM (collapsed runs, nbsp, line breaks between
// inline elements), and a sentence may span several text nodes (<a>, <em>, ...). So the page's
// text nodes are indexed with every ignorable character (whitespace, nbsp, soft hyphen,
// zero-width characters) dropped, each kept character remembering its node and offset; the
// sentence, stripped the same way, is searched in that string and mapped back to a DOM Range.
//
// A sentence can stand more than once on a page: in a table of contents, a "key points" box, the
// navigation or a teaser before the article. The service sends the article text on either side
// of each sentence (`context: {before, after}`); the copy whose surroundings match that text
// best is the article's own, and it is the one highlighted. The headings of the outline come
// without context: their article copy is told by its looks and its place (see findHeading).
(() => {
  if (globalThis.__newsgistLocate && (globalThis.browser ?? globalThis.chrome).runtime?.id) return;

  const HIGHLIGHT_NAME = 'newsgist-sentence';
  const MARK_CLASS = 'newsgist-mark';
  const SKIP_TAGS = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA', 'IFRAME', 'OBJECT', 'HEAD', 'TITLE']);
  const IGNORABLE = /[\s\u00ad\u180e\u200b-\u200d\u2060\ufeff]/;
  const IGNORABLE_ALL = new RegExp(IGNORABLE.source, 'g');

  /** Text of `s` without the characters the index drops. */
  function compact(s) {
    return String(s).replace(IGNORABLE_ALL, '');
  }

  /** Lower-cases one code unit at a time, keeping the length (so offsets still map). */
  function foldSameLength(s) {
    let out = '';
    for (const ch of s) {
      const low = ch.toLowerCase();
      out += low.length === ch.length ? low : ch;
    }
    return out;
  }

  /**
   * Index over the text nodes under `root`, skipping `exclude` (the panel) and non-rendered
   * containers. Returns {text, nodes, nodeOf, offsetOf}: text[i] sits in nodes[nodeOf[i]] at
   * offset offsetOf[i].
   */
  function buildIndex(root, exclude) {
    const nodes = [];
    const nodeOf = [];
    const offsetOf = [];
    const parts = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode(node) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          if (node === exclude || SKIP_TAGS.has(node.nodeName.toUpperCase())) return NodeFilter.FILTER_REJECT;
          return NodeFilter.FILTER_SKIP;
        }
        return NodeFilter.FILTER_ACCEPT;
      },
    });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const data = node.data;
      const n = nodes.length;
      let kept = '';
      for (let i = 0; i < data.length; i++) {
        const ch = data[i];
        if (IGNORABLE.test(ch)) continue;
        kept += ch;
        nodeOf.push(n);
        offsetOf.push(i);
      }
      if (kept) {
        nodes.push(node);
        parts.push(kept);
      }
    }
    return { text: parts.join(''), nodes, nodeOf, offsetOf };
  }

  function rangeFor(index, start, end) {
    const range = document.createRange();
    range.setStart(index.nodes[index.nodeOf[start]], index.offsetOf[start]);
    range.setEnd(index.nodes[index.nodeOf[end - 1]], index.offsetOf[end - 1] + 1);
    return range;
  }

  function isShown(range) {
    const el = range.startContainer.parentElement;
    if (el && typeof el.checkVisibility === 'function' && !el.checkVisibility({ visibilityProperty: true })) return false;
    return range.getClientRects().length > 0;
  }

  /** All [start, end) spans of `needle` in `haystack`. */
  function spans(haystack, needle) {
    const out = [];
    if (!needle) return out;
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
      out.push([at, at + needle.length]);
    }
    return out;
  }

  /**
   * How well the page text around the span [start, end) agrees with the article text around
   * the sentence: the number of characters that match, going back from `start` against the end
   * of `before` and forward from `end` against the start of `after` (all compacted).
   */
  function contextAgreement(text, [start, end], before, after) {
    let back = 0;
    while (back < before.length && back < start && text[start - 1 - back] === before[before.length - 1 - back]) back++;
    let ahead = 0;
    while (ahead < after.length && end + ahead < text.length && text[end + ahead] === after[ahead]) ahead++;
    return back + ahead;
  }

  /**
   * The spans of `text` in the index: exact, else case-folded, else (with `partial`, for a page
   * that changed since it was summarized) the text's opening. Returns {found, exact, haystack,
   * fold} or null when there is no copy; `fold` is what was applied to the page text.
   */
  function matches(index, text, partial) {
    const needle = compact(text);
    if (!needle) return null;
    const same = (s) => s;
    let found = spans(index.text, needle);
    if (found.length) return { found, exact: true, haystack: index.text, fold: same };
    const folded = foldSameLength(index.text);
    found = spans(folded, foldSameLength(needle));
    if (found.length) return { found, exact: true, haystack: folded, fold: foldSameLength };
    if (!partial) return null;
    const head = needle.slice(0, Math.max(24, Math.ceil(needle.length * 0.6)));
    if (head.length >= needle.length) return null;
    found = spans(index.text, head);
    return found.length ? { found, exact: false, haystack: index.text, fold: same } : null;
  }

  /**
   * The copy of `sentence` in the index: among its copies, a rendered one, and of those the one
   * whose neighbouring text best matches `context` ({before, after}: the article text around
   * the sentence, as the service returns it); the first on a tie or without context.
   * @returns {{range: Range, span: number[], exact: boolean, copies: number} | null}
   */
  function pickSentence(index, sentence, context) {
    const m = matches(index, sentence, true);
    if (!m) return null;
    const before = m.fold(compact(context?.before ?? ''));
    const after = m.exact ? m.fold(compact(context?.after ?? '')) : '';
    const copies = m.found.map((span, order) => {
      const range = rangeFor(index, span[0], span[1]);
      return { range, span, order, shown: isShown(range), agreement: contextAgreement(m.haystack, span, before, after) };
    });
    copies.sort((a, b) => (b.shown - a.shown) || (b.agreement - a.agreement) || (a.order - b.order));
    return { range: copies[0].range, span: copies[0].span, exact: m.exact, copies: copies.length };
  }

  /** Range of `sentence` in the page (see pickSentence); `exclude`: the panel. */
  function find(sentence, exclude, context) {
    const index = buildIndex(document.body || document.documentElement, exclude);
    const hit = pickSentence(index, sentence, context);
    return hit && { range: hit.range, exact: hit.exact, copies: hit.copies };
  }

  const HEADING_SELECTOR = 'h1, h2, h3, h4, h5, h6, [role="heading"]';

  /**
   * How much the copy in `range` looks like a heading: 2 inside a heading element, 1 when an
   * element holds that text and nothing else (a bold line, a link in a table of contents), 0 for
   * a mention inside running text.
   */
  function headingRank(range, needle) {
    const el = range.startContainer.parentElement;
    if (!el) return 0;
    if (el.closest(HEADING_SELECTOR)) return 2;
    for (let p = el; p && p !== document.body; p = p.parentElement) {
      const own = compact(p.textContent);
      if (own.length > needle.length * 2 + 8) break;
      if (own.toLowerCase() === needle.toLowerCase()) return 1;
    }
    return 0;
  }

  /**
   * Range of the outline heading `heading` in the page. A heading's text stands in many places
   * (a table of contents, the navigation, mentions in running text), and the service sends no
   * context for it, so its copies are ranked: a rendered one; one that looks like a heading (see
   * headingRank); the one closest before `anchor`, a sentence of its section ({text, context},
   * found as pickSentence finds it), since a section's heading comes before its text; the first.
   * @returns {{range: Range, exact: boolean, copies: number} | null}
   */
  function findHeading(heading, exclude, anchor) {
    const index = buildIndex(document.body || document.documentElement, exclude);
    const m = matches(index, heading, false);
    if (!m) return null;
    const needle = compact(heading);
    const at = anchor?.text ? pickSentence(index, anchor.text, anchor.context)?.span[0] : undefined;
    const copies = m.found.map(([start, end], order) => {
      const range = rangeFor(index, start, end);
      const gap = at !== undefined && end <= at ? at - end : Infinity;
      return { range, order, gap, shown: isShown(range), rank: headingRank(range, needle) };
    });
    const byGap = (a, b) => (a.gap === b.gap ? 0 : a.gap < b.gap ? -1 : 1);
    copies.sort((a, b) => (b.shown - a.shown) || (b.rank - a.rank) || byGap(a, b) || (a.order - b.order));
    return { range: copies[0].range, exact: m.exact, copies: copies.length };
  }

  function scrollableAncestor(el) {
    for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (/(auto|scroll)/.test(style.overflowY) && p.scrollHeight > p.clientHeight) return p;
    }
    return null;
  }

  function scrollToRange(range) {
    const behavior = matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth';
    const el = range.startContainer.parentElement;
    const rect = range.getBoundingClientRect();
    if (!el) return;
    if (scrollableAncestor(el) || (rect.width === 0 && rect.height === 0)) {
      el.scrollIntoView({ block: 'center', behavior });
      return;
    }
    const room = window.innerHeight - rect.height;
    const top = window.scrollY + rect.top - (room > 80 ? room / 2 : 80);
    window.scrollTo({ top: Math.max(0, top), behavior });
  }

  // Fallback highlight for browsers without the CSS Custom Highlight API: wrap the pieces of
  // each text node in the range in <mark class="newsgist-mark">.
  function wrapRange(range) {
    const texts = [];
    const walker = document.createTreeWalker(range.commonAncestorContainer, NodeFilter.SHOW_TEXT);
    const startNode = range.startContainer;
    if (startNode.nodeType === Node.TEXT_NODE && startNode === range.commonAncestorContainer) texts.push(startNode);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (range.intersectsNode(n)) texts.push(n);
    }
    // Boundaries first: splitting and moving nodes below updates the live range.
    const pieces = texts.map((node) => [
      node,
      node === range.startContainer ? range.startOffset : 0,
      node === range.endContainer ? range.endOffset : node.data.length,
    ]);
    for (const [node, from, to] of pieces) {
      if (to <= from) continue;
      let target = node;
      if (to < target.data.length) target.splitText(to);
      if (from > 0) target = target.splitText(from);
      const mark = document.createElement('mark');
      mark.className = MARK_CLASS;
      target.parentNode.insertBefore(mark, target);
      mark.appendChild(target);
    }
  }

  function unwrapMarks() {
    for (const mark of document.querySelectorAll(`mark.${MARK_CLASS}`)) {
      const parent = mark.parentNode;
      while (mark.firstChild) parent.insertBefore(mark.firstChild, mark);
      mark.remove();
    }
  }

  function clear() {
    try {
      globalThis.CSS?.highlights?.delete(HIGHLIGHT_NAME);
    } catch {
      // no registry
    }
    unwrapMarks();
  }

  /** Highlights `range`; returns 'highlight-api' or 'mark'. */
  function highlight(range) {
    clear();
    if (globalThis.CSS?.highlights && typeof globalThis.Highlight === 'function') {
      try {
        globalThis.CSS.highlights.set(HIGHLIGHT_NAME, new globalThis.Highlight(range));
        return 'highlight-api';
      } catch {
        // fall through to the fallback
      }
    }
    wrapRange(range);
    return 'mark';
  }

  function show(hit) {
    if (!hit) return { found: false };
    scrollToRange(hit.range);
    const method = highlight(hit.range);
    return { found: true, exact: hit.exact, method };
  }

  /**
   * Scrolls to `sentence` (its article copy when `context` is given, see `find`) and
   * highlights it.
   * @returns {{found: boolean, exact?: boolean, method?: string}}
   */
  function jumpTo(sentence, exclude, context) {
    return show(find(sentence, exclude, context));
  }

  /** Scrolls to an outline heading (its article copy, see `findHeading`) and highlights it. */
  function jumpToHeading(heading, exclude, anchor) {
    return show(findHeading(heading, exclude, anchor));
  }

  globalThis.__newsgistLocate = {
    compact, buildIndex, find, findHeading, jumpTo, jumpToHeading, highlight, clear, contextAgreement,
  };
})();
