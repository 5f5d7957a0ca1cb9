// The alert list: counts the selected alerts, selects all on the page, and follows live changes
// (the "tocsin:alert-changed" events live.js dispatches): new alerts are counted with a button to
// show them; rows already shown are refreshed in place, keeping what is ticked.
(function () {
  "use strict";

  var form = document.getElementById("alert-bulk");
  var status = document.getElementById("new-alerts");
  var newIds = {};  // each new alert counted once, however many events name it
  var newCount = 0;
  var refreshing = false;
  var refreshAgain = false;

  function rows() { return document.getElementById("alert-rows"); }

  function boxes() {
    var body = rows();
    return body ? Array.prototype.slice.call(body.querySelectorAll('input[name="alert"]')) : [];
  }

  function showSelected() {
    var counter = document.getElementById("selected-count");
    if (!counter) { return; }
    var ticked = boxes().filter(function (box) { return box.checked; }).length;
    counter.textContent = ticked ? ticked + " selected" : "";
    var all = document.getElementById("select-all");
    if (all) {
      var every = ticked > 0 && ticked === boxes().length;
      all.textContent = every ? "Clear the selection" : "Select all on this page";
      all.setAttribute("data-every", every ? "yes" : "no");
    }
  }

  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "alert") { showSelected(); }
    });
    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("click", function (event) {
        event.preventDefault();
        var tick = all.getAttribute("data-every") !== "yes";
        boxes().forEach(function (box) { box.checked = tick; });
        showSelected();
      });
    }
    showSelected();
  }

  function rowsAddress() {
    var url = new URL(window.location.href);
    url.searchParams.delete("select");
    url.searchParams.set("fragment", "rows");
    return url.toString();
  }

  function refreshRows() {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    fetch(rowsAddress(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("the alert list answered " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var current = rows();
        if (!current) { return; }
        var ticked = {};
        boxes().forEach(function (box) { if (box.checked) { ticked[box.value] = true; } });
        var table = document.createElement("table");
        table.innerHTML = html;
        var fresh = table.querySelector("tbody");
        if (!fresh) { return; }
        Array.prototype.forEach.call(fresh.querySelectorAll('input[name="alert"]'), function (box) {
          box.checked = Boolean(ticked[box.value]);
        });
        current.replaceWith(fresh);
        showSelected();
      })
      .catch(function () { /* the next change tries again; the page itself still works */ })
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; refreshRows(); }
      });
  }

  function countNew(id) {
    if (newIds[id]) { return; }
    newIds[id] = true;
    newCount += 1;
    status.textContent = "";
    var text = document.createElement("span");
    text.textContent = newCount === 1 ? "1 new alert" : newCount + " new alerts";
    var show = document.createElement("button");
    show.type = "button";
    show.textContent = "Show";
    show.addEventListener("click", function () { window.location.reload(); });
    status.appendChild(text);
    status.appendChild(show);
  }

  document.addEventListener("tocsin:alert-changed", function (event) {
    var detail = event.detail || {};
    var body = rows();
    var shown = body && detail.id && body.querySelector('tr[data-alert-id="' + CSS.escape(String(detail.id)) + '"]');
    if (shown) {
      refreshRows();
    } else if (detail.change === "created" && detail.id && status) {
      countNew(String(detail.id));
    }
  });

  // Back after the server restarted or the network dropped: what changed meanwhile is not replayed.
  document.addEventListener("tocsin:live-resumed", function () { refreshRows(); });
}());
