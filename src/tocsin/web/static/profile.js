// The new-rule form: "how long before the shift" matters only for shift rules and the alert
// priorities only for alert rules, so each is shown only when it applies. Without this script
// both are always there (and the one that does not apply is ignored).
(function () {
  "use strict";

  const action = document.getElementById("rule-action");
  const field = document.querySelector(".shift-only");
  const priorities = document.querySelector(".new-rule .alert-only");
  if (!action || !field) {
    return;
  }
  function update() {
    const shift = action.value.startsWith("schedule-");
    field.hidden = !shift;
    if (priorities) {
      priorities.hidden = shift;
    }
  }
  action.addEventListener("change", update);
  update();
})();
