// Options page: service URL, default length, time limit (chrome.storage.sync), a
// connection test against GET /v1/health, and where to change the keyboard shortcut.
(() => {
  const {
    ext, COMMANDS, LENGTHS, DEFAULTS, normalizeServiceUrl, clampTimeout, getSettings, saveSettings, api, t, translate,
  } = globalThis.NewsGist;
  const $ = (id) => document.getElementById(id);
  const form = $('settings');
  const urlInput = $('serviceUrl');
  const urlError = $('serviceUrlError');
  const lengthSelect = $('defaultLength');
  const timeoutInput = $('timeoutSeconds');
  const status = $('status');

  translate();
  urlInput.placeholder = DEFAULTS.serviceUrl;
  for (const key of Object.keys(LENGTHS)) {
    const option = document.createElement('option');
    option.value = key;
    option.textContent = t(`lengthOption_${key}`, [String(LENGTHS[key])]);
    lengthSelect.append(option);
  }

  function say(text, kind = '') {
    status.textContent = text;
    status.dataset.kind = kind;
  }

  function checkedUrl() {
    const url = normalizeServiceUrl(urlInput.value || DEFAULTS.serviceUrl);
    urlError.hidden = url.ok;
    urlInput.setAttribute('aria-invalid', String(!url.ok));
    urlError.textContent = url.ok ? '' : t(`optionsUrlError_${url.reason}`);
    return url;
  }

  async function load() {
    const s = await getSettings();
    urlInput.value = s.serviceUrl;
    lengthSelect.value = s.defaultLength;
    timeoutInput.value = String(s.timeoutSeconds);
    $('rememberHistory').checked = s.rememberHistory;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const url = checkedUrl();
    if (!url.ok) {
      urlInput.focus();
      return;
    }
    const timeoutSeconds = clampTimeout(timeoutInput.value);
    await saveSettings({
      serviceUrl: url.url, defaultLength: lengthSelect.value, timeoutSeconds, rememberHistory: $('rememberHistory').checked,
    });
    urlInput.value = url.url;
    timeoutInput.value = String(timeoutSeconds);
    say(t('optionsSaved'), 'ok');
  });

  $('test').addEventListener('click', async () => {
    const url = checkedUrl();
    if (!url.ok) {
      urlInput.focus();
      return;
    }
    say(t('optionsTesting'));
    const res = await api.health(url.url);
    if (res.ok && res.data.status === 'ok') {
      say(t('optionsTestOk', [url.url, String(res.data.model || '?'), String(res.data.version || '?')]), 'ok');
    } else if (res.ok && res.data.status === 'loading') {
      say(t('optionsTestLoading', [url.url]), 'warn');
    } else if (res.ok || res.error.kind === 'not_newsgist') {
      say(t('errorNotNewsgist', [url.url, String(res.error?.status ?? '?')]), 'error');
    } else if (res.error.kind === 'unreachable') {
      say(t('optionsTestUnreachable', [url.url]), 'error');
    } else if (res.error.kind === 'timeout') {
      say(t('errorTimeout', [url.url, String(res.error.timeoutSeconds)]), 'error');
    } else {
      say(`${t(`errorTitle_${res.error.kind}`)}: ${res.error.message || res.error.status}`, 'error');
    }
  });

  async function showShortcut() {
    const commands = await ext.commands.getAll();
    const cmd = commands.find((c) => c.name === COMMANDS.summarizePage);
    $('shortcut').textContent = cmd?.shortcut || t('optionsShortcutNone');
  }

  $('shortcuts').addEventListener('click', () => {
    if (typeof ext.commands.openShortcutSettings === 'function') {
      ext.commands.openShortcutSettings(); // Firefox
    } else {
      ext.tabs.create({ url: 'chrome://extensions/shortcuts' });
    }
  });

  load();
  showShortcut();
})();
