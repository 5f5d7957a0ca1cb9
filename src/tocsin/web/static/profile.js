// The new-rule form: "how long before the shift" matters only for shift rules, so it is shown
// only when one of those is chosen. Without this script the field is always there (and ignored
// for other rules).
(function () {
  "use strict";

  const action = document.getElementById("rule-action");
  const field = document.querySelector(".shift-only");
  if (!action || !field) {
    return;
  }
  function update() {
    field.hidden = !action.value.startsWith("schedule-");
  }
  action.addEventListener("change", update);
  update();
})();
