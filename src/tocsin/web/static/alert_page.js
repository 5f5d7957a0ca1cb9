// An alert's page, kept current: when live.js says this alert changed ("tocsin:alert-changed"),
// the page is fetched again and each part (data-live) swapped in, except a part where someone is
// typing or has typed something not yet sent; then a button offers to reload instead.
(function () {
  "use strict";
  var page = document.querySelector(".alert-page");
  if (!page) { return; }
  var alertId = page.getAttribute("data-alert-id");
  // The page's own address: after a refused form the browser shows it at the form's address.
  var pageUrl = page.getAttribute("data-page");
  var fetching = null;
  var again = false;

  function edited(part) {
    var active = document.activeElement;
    if (active && part.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) &&
        active.type !== "hidden") {
      return true;
    }
    if (part.querySelector("[aria-invalid=true]")) { return true; }  // refused input, shown again
    var fields = part.querySelectorAll("input:not([type=hidden]), textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.tagName === "SELECT") {
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].selected !== field.options[j].defaultSelected) { return true; }
        }
      } else if (field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function offerReload() {
    var status = page.querySelector(".changed");
    if (!status || status.querySelector("button")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "This alert changed — reload";
    button.addEventListener("click", function () { window.location.reload(); });
    status.appendChild(button);
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var kept = false;
    page.querySelectorAll("[data-live]").forEach(function (part) {
      var name = part.getAttribute("data-live");
      var replacement = fresh.querySelector('[data-live="' + name + '"]');
      if (edited(part)) { kept = true; return; }
      if (!replacement) { part.remove(); return; }
      // Folded sections stay as the person left them.
      var open = {};
      part.querySelectorAll("details").forEach(function (d, i) { open[i] = d.open; });
      part.replaceWith(replacement);
      replacement.querySelectorAll("details").forEach(function (d, i) {
        if (i in open) { d.open = open[i]; }
      });
    });
    if (kept) { offerReload(); }
    page.dispatchEvent(new CustomEvent("tocsin:alert-page-updated", {bubbles: true}));
  }

  function refresh() {
    if (fetching) { again = true; return; }
    fetching = fetch(pageUrl, {credentials: "same-origin", headers: {Accept: "text/html"}})
      .then(function (response) {
        if (response.status === 404) { offerReload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html) { swap(html); } })
      .catch(function () { offerReload(); })
      .then(function () {
        fetching = null;
        if (again) { again = false; refresh(); }
      });
  }

  document.addEventListener("tocsin:alert-changed", function (event) {
    if (event.detail && event.detail.id === alertId) { refresh(); }
  });

  // Back after the server restarted or the network dropped: what changed meanwhile is not replayed.
  document.addEventListener("tocsin:live-resumed", function () { refresh(); });
})();
