// Dragging a participant to their place in the turn order (HTML5 drag and drop). The order is
// that of the hidden inputs, so moving the row is all it takes; the Up, Down and Remove buttons
// are renumbered to match. Without this script (or with the keyboard) the buttons do the same
// by sending the form back to the server, which draws it again, saving nothing.
(function () {
  "use strict";

  const list = document.getElementById("participants");
  if (!list) {
    return;
  }
  let dragged = null;

  function renumber() {
    const rows = Array.from(list.querySelectorAll("li.participant"));
    rows.forEach(function (row, index) {
      row.querySelectorAll("button").forEach(function (button) { button.value = String(index); });
      row.querySelector("button.move-up").disabled = index === 0;
      row.querySelector("button.move-down").disabled = index === rows.length - 1;
    });
  }

  function clearMarks() {
    list.querySelectorAll(".drop-here").forEach(function (row) { row.classList.remove("drop-here"); });
  }

  list.querySelectorAll("li.participant").forEach(function (row) { row.draggable = true; });
  list.closest("fieldset").classList.add("draggable");

  list.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("li.participant");
    if (!dragged) {
      return;
    }
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.querySelector(".who").textContent);
  });

  list.addEventListener("dragover", function (event) {
    const over = event.target.closest("li.participant");
    if (!dragged || !over) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    if (over !== dragged) {
      over.classList.add("drop-here");
    }
  });

  list.addEventListener("drop", function (event) {
    const over = event.target.closest("li.participant");
    if (!dragged || !over || over === dragged) {
      return;
    }
    event.preventDefault();
    const rows = Array.from(list.children);
    // Dropped on a row below: after it; on a row above: before it.
    list.insertBefore(dragged, rows.indexOf(over) > rows.indexOf(dragged) ? over.nextSibling : over);
    renumber();
  });

  list.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("dragging");
    }
    dragged = null;
    clearMarks();
  });
})();
