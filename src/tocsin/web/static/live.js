// Live updates: listens to the server's alert changes (server-sent events from /alerts/live,
// under the same path prefix as this script) and tells the page about each one as a
// "tocsin:alert-changed" event on document, with detail {id, tiny_id, change}, where change is
// "created" or "updated". Pages listen for it and fetch what they show.
//
// The browser reconnects by itself when the connection drops (a server restart): the server
// says how soon (retry). Changes made while it was away are not sent again, so after it is back
// "tocsin:live-resumed" is dispatched on document: a page may then fetch what it shows anew.
// A refused connection (signed out) is not tried again until the page is loaded anew.
(function () {
  "use strict";

  // Once per page, however many of its parts include this script.
  if (typeof window.EventSource !== "function" || !document.currentScript || window.tocsinLive) {
    return;
  }
  window.tocsinLive = true;
  const script = new URL(document.currentScript.src, document.baseURI);
  const root = script.pathname.replace(/\/static\/live\.js$/, "");
  const address = script.origin + root + "/alerts/live";
  let source = null;

  function announce(message) {
    let change;
    try {
      change = JSON.parse(message.data);
    } catch (ignored) {
      return;
    }
    document.dispatchEvent(new CustomEvent("tocsin:alert-changed", {
      detail: { id: change.id, tiny_id: change.tiny_id, change: change.change },
    }));
  }

  function open() {
    if (source !== null) {
      return;
    }
    let opened = false;
    source = new EventSource(address);
    source.addEventListener("alert", announce);
    source.addEventListener("open", function () {
      if (opened) {
        document.dispatchEvent(new CustomEvent("tocsin:live-resumed"));
      }
      opened = true;
    });
    source.addEventListener("error", function () {
      // While CONNECTING the browser retries on its own; CLOSED means it was refused.
      if (source !== null && source.readyState === EventSource.CLOSED) {
        source = null;
      }
    });
  }

  function close() {
    if (source !== null) {
      source.close();
      source = null;
    }
  }

  // A page kept in the back/forward cache holds no connection; it listens again when shown.
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", open);
  open();
})();
