// Copy buttons: <button type="button" data-copy="#some-id"> copies the text of that element.
// Where the clipboard cannot be written (plain http, an old browser) the text is selected
// instead, ready for Ctrl+C.
(function () {
  "use strict";

  function textOf(element) {
    return ("value" in element ? element.value : element.textContent).trim();
  }

  function select(element) {
    if (typeof element.select === "function") {
      element.select();
      return;
    }
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function say(button, text) {
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    button.textContent = text;
    window.setTimeout(function () { button.textContent = label; }, 2000);
  }

  function copyBySelecting(button, source) {
    select(source);
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    say(button, copied ? "Copied" : "Selected: press Ctrl+C");
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }
    const source = document.querySelector(button.dataset.copy);
    if (!source) {
      return;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(textOf(source)).then(
        function () { say(button, "Copied"); },
        function () { copyBySelecting(button, source); }
      );
    } else {
      copyBySelecting(button, source);
    }
  });
})();
