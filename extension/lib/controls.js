// The pieces of interface the in-page panel and the digest page share: the Short / Medium / Long
// buttons and the explanation of an error. Loaded as a classic script after lib/constants.js,
// lib/dom.js and lib/i18n.js (injected ahead of content/panel.js, a <script> tag in the digest
// page): it adds NewsGist.controls.
(() => {
  const { LENGTHS, h, t } = globalThis.NewsGist;

  /** A button for each summary length (LENGTHS, in their order); a click calls onChoose(key). */
  function lengthButtons(onChoose) {
    return Object.keys(LENGTHS).map((key) => h('button', {
      type: 'button', class: 'length', 'data-length': key, 'aria-pressed': 'false', onclick: () => onChoose(key),
    }, t(`length_${key}`)));
  }

  /** Shows `length` as the one chosen among `buttons`. */
  function markLength(buttons, length) {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.length === length));
  }

  /** The line under an error's title: what the service said, or what the kind means here. */
  function errorDetail(e) {
    const service = e.message || '';
    switch (e.kind) {
      case 'unreachable': return t('errorUnreachable', [e.serviceUrl]);
      case 'timeout': return t('errorTimeout', [e.serviceUrl, String(e.timeoutSeconds)]);
      case 'busy': return e.retryAfter ? t('errorBusyRetryAfter', [String(e.retryAfter)]) : t('errorBusy');
      case 'not_newsgist': return t('errorNotNewsgist', [e.serviceUrl, String(e.status)]);
      case 'empty_selection': return t('errorEmptySelection');
      case 'server': return `${service} (HTTP ${e.status})`;
      default: return service;
    }
  }

  /** The service is not running: the command that starts it, then "press Retry". */
  function notRunningHelp() {
    return [h('p', {}, t('errorStartWith')), h('pre', { class: 'command' }, h('code', {}, 'make serve')),
      h('p', {}, t('errorThenRetry'))];
  }

  globalThis.NewsGist = Object.assign(globalThis.NewsGist || {}, {
    controls: Object.freeze({ lengthButtons, markLength, errorDetail, notRunningHelp }),
  });
})();
