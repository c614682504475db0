// What the extension reads from a tab: one function, run in the tab by
// scripting.executeScript({func: capturePage, args: [PANEL_HOST_ID, withoutScripts]}), so it
// uses nothing from outside its own body. Loaded as a classic script by the background worker
// (the panel's page) and the digest page (the tabs): it adds NewsGist.capturePage.
(() => {
  /**
   * The live page after its scripts ran: its HTML, URL, title and content type, the panel's
   * host (`hostId`) left out. `withoutScripts`: also without scripts, styles and templates,
   * which carry no article text (the digest sends many pages in a body of limited size); the
   * panel sends the page whole, as the browser has it.
   */
  function capturePage(hostId, withoutScripts) {
    let html;
    if (withoutScripts) {
      const root = document.documentElement.cloneNode(true);
      for (const el of root.querySelectorAll(`script, style, template, #${hostId}`)) el.remove();
      html = root.outerHTML;
    } else {
      // The page's own nodes are left as they are (a clone would build its custom elements again).
      html = document.documentElement.outerHTML;
      const host = document.getElementById(hostId);
      if (host) html = html.replace(host.outerHTML, '');
    }
    return { html, url: location.href, title: document.title, contentType: document.contentType };
  }

  globalThis.NewsGist = Object.assign(globalThis.NewsGist || {}, { capturePage });
})();
