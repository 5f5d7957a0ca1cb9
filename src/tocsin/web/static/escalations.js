// The escalation editor: a rule's "notify" offers only what its recipient takes (next and
// previous for a schedule, users and admins for a team, default for anyone), as the API checks.
// Without this script every choice is offered and the server says which does not fit.
(function () {
  "use strict";

  const FITS = {
    user: ["default"],
    team: ["default", "users", "admins"],
    schedule: ["default", "next", "previous"],
  };

  function fit(rule) {
    const recipient = rule.querySelector("select[name=rule_recipient]");
    const notify = rule.querySelector("select[name=rule_notify]");
    const allowed = FITS[recipient.value.split(":")[0]];
    Array.prototype.forEach.call(notify.options, function (option) {
      option.disabled = Boolean(allowed) && allowed.indexOf(option.value) < 0;
    });
    if (notify.selectedOptions.length && notify.selectedOptions[0].disabled) {
      notify.value = "default";
    }
  }

  document.querySelectorAll("li.rule").forEach(fit);
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name=rule_recipient]")) {
      fit(event.target.closest("li.rule"));
    }
  });
})();
