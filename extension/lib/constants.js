// The names the extension's parts share, each written once here. Loaded as a classic script
// before anything that uses them: importScripts() in the Chromium service worker,
// background.scripts in Firefox, injected ahead of the content scripts, a <script> tag in the
// pages. tests/test_extension_constants.py checks the copies that cannot read this file: the
// manifest (commands, permissions, host access), the service's own values (lengths, digest page
// limit, native host name, default address and port, allowed hosts), the error titles in
// _locales, and that the scripts use no name missing here and spell none of them again.
(() => {
  const constants = {
    /** Keyboard commands (manifest.json `commands`). */
    COMMANDS: Object.freeze({ summarizePage: 'summarize-page', summarizeTabs: 'summarize-tabs' }),

    /** Id of the element that hosts the in-page panel (left out of what is sent to the service). */
    PANEL_HOST_ID: 'newsgist-root',

    /** runtime/tabs message types between the worker, the panel and the pages. */
    MESSAGES: Object.freeze({
      summarize: 'newsgist:summarize', // panel -> worker: {request}; answers the summary
      allowStart: 'newsgist:allowStart', // panel -> worker: open the permission page
      digestTabs: 'newsgist:digestTabs', // panel -> worker: open the digest of the window's tabs
      openOptions: 'newsgist:openOptions', // panel -> worker: open the options page
      openHistory: 'newsgist:openHistory', // panel -> worker: open the reading history page
      starting: 'newsgist:starting', // worker -> panel: {progress} of a service being started
      retry: 'newsgist:retry', // permission page -> panel: ask again
    }),

    /** Where the service listens unless the reader says otherwise (the service's own default). */
    DEFAULT_SERVICE_URL: 'http://127.0.0.1:8765',

    /** The only hosts the service may be at (manifest.json `host_permissions`). */
    SERVICE_HOSTS: Object.freeze(['127.0.0.1', 'localhost']),

    /** Pages the digest asks to read, on first use (manifest.json `optional_host_permissions`). */
    PAGE_ORIGINS: Object.freeze(['http://*/*', 'https://*/*']),

    /** Most pages one digest sends (the service's `max_digest_pages`); the rest are listed. */
    DIGEST_MAX_PAGES: 30,

    /** The native messaging host that starts the service (`newsgist host install` registers it). */
    NATIVE_HOST: 'newsgist.host',

    /** The optional permission that lets the extension talk to it (manifest.json). */
    NATIVE_PERMISSION: 'nativeMessaging',

    /** Summary lengths the service understands (`length` field) and their sentence counts. */
    LENGTHS: Object.freeze({ short: 3, medium: 5, long: 7 }),

    /**
     * What went wrong, as the panel and the digest page explain it (`errorTitle_<kind>` in
     * _locales). lib/api.js says which service answers make which kind.
     */
    ERROR_KINDS: Object.freeze([
      'unreachable', 'timeout', 'no_article', 'busy', 'refused', 'too_large', 'bad_request',
      'not_newsgist', 'server', 'capture', 'empty_selection',
    ]),
  };
  globalThis.NewsGist = Object.assign(globalThis.NewsGist || {}, Object.freeze(constants));
})();
