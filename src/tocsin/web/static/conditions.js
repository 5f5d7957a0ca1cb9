// A filter's "Add a condition" and "Remove" without sending the form: rows are copied, cleared
// and renumbered in the page, so nothing typed elsewhere (a secret) is lost. Without this
// script the buttons send the form back to the server, which draws it again.
(function () {
  "use strict";

  const CONDITION_ID = /^cond-([a-z]+)-\d+$/;

  function renumber(list) {
    list.querySelectorAll("li.condition").forEach(function (row, index) {
      const n = index + 1;
      row.querySelectorAll("[id^='cond-']").forEach(function (element) {
        element.id = element.id.replace(CONDITION_ID, "cond-$1-" + n);
      });
      row.querySelectorAll("label[for^='cond-']").forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(CONDITION_ID, "cond-$1-" + n);
        label.textContent = label.textContent.replace(/^Condition \d+/, "Condition " + n);
      });
      const remove = row.querySelector("button.remove");
      remove.value = String(index);
      remove.setAttribute("aria-label", "Remove condition " + n);
    });
  }

  function clear(row) {
    row.classList.remove("invalid");
    row.querySelectorAll(".error").forEach(function (message) { message.remove(); });
    row.querySelectorAll("[aria-describedby]").forEach(function (element) {
      element.removeAttribute("aria-describedby");
    });
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
  }

  document.addEventListener("click", function (event) {
    const add = event.target.closest("button[name=add_condition]");
    const remove = event.target.closest("li.condition button.remove");
    if (add) {
      const list = add.closest("fieldset").querySelector("ol.conditions");
      const rows = list.querySelectorAll("li.condition");
      if (!rows.length || rows.length >= 50) {
        return; // the server says what to do
      }
      event.preventDefault();
      const row = rows[rows.length - 1].cloneNode(true);
      clear(row);
      list.appendChild(row);
      renumber(list);
      row.querySelector("select").focus();
    } else if (remove) {
      event.preventDefault();
      const list = remove.closest("ol.conditions");
      const row = remove.closest("li.condition");
      if (list.querySelectorAll("li.condition").length === 1) {
        clear(row);
        row.querySelector("select").focus();
        return;
      }
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber(list);
      next.querySelector("select").focus();
    }
  });
})();
