// Asks for the optional `nativeMessaging` permission (browsers grant it only from a click in an
// extension page), then tells the panel in the tab that asked to try again.
(() => {
  const ext = globalThis.browser ?? globalThis.chrome;
  const { MESSAGES } = globalThis.NewsGist;
  const t = (key) => ext.i18n.getMessage(key) || key;
  const status = document.getElementById('status');
  const tabId = Number.parseInt(new URLSearchParams(location.search).get('tab') || '', 10);

  for (const el of document.querySelectorAll('[data-i18n]')) {
    const text = ext.i18n.getMessage(el.dataset.i18n);
    if (text) el.textContent = text;
  }

  const allow = document.getElementById('allow');
  const revoke = document.getElementById('revoke');
  const PERMISSION = { permissions: ['nativeMessaging'] };

  async function show() {
    const granted = await ext.permissions.contains(PERMISSION);
    allow.hidden = granted;
    revoke.hidden = !granted;
    if (granted && !status.textContent) {
      status.textContent = t('permissionIsGranted');
      status.dataset.kind = 'ok';
    }
  }

  revoke.addEventListener('click', async () => {
    await ext.permissions.remove(PERMISSION);
    status.textContent = t('permissionRevoked');
    status.dataset.kind = '';
    await show();
  });

  show();

  allow.addEventListener('click', async () => {
    let granted = false;
    try {
      // Called first thing in the click handler: Firefox requires it.
      granted = await ext.permissions.request({ permissions: ['nativeMessaging'] });
    } catch {
      granted = false;
    }
    status.textContent = t(granted ? 'permissionGranted' : 'permissionDenied');
    status.dataset.kind = granted ? 'ok' : 'error';
    await show();
    if (granted && Number.isInteger(tabId)) {
      try {
        await ext.tabs.update(tabId, { active: true });
        await ext.tabs.sendMessage(tabId, { type: MESSAGES.retry });
        const self = await ext.tabs.getCurrent();
        if (self) await ext.tabs.remove(self.id);
      } catch {
        // the tab is gone: nothing to retry
      }
    }
  });
})();
