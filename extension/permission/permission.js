// Asks for the optional `nativeMessaging` permission (browsers grant it only from a click in an
// extension page), then tells the panel in the tab that asked to try again.
(() => {
  const ext = globalThis.browser ?? globalThis.chrome;
  const { MESSAGES, NATIVE_PERMISSION, t, translate } = globalThis.NewsGist;
  const status = document.getElementById('status');
  const tabId = Number.parseInt(new URLSearchParams(location.search).get('tab') || '', 10);

  translate();

  const allow = document.getElementById('allow');
  const revoke = document.getElementById('revoke');
  const PERMISSION = { permissions: [NATIVE_PERMISSION] };

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
      granted = await ext.permissions.request(PERMISSION);
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
