// Inline edits on the desk ticket page (tickets/views/triage.py). `e` opens the editor of the
// part that has the focus (else the short description), Esc closes an open editor without
// saving, Ctrl+Enter saves it (static/js/desk.js sends any form on Ctrl+Enter).
(function () {
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]");
  }
  function close(editor) {
    const part = editor.closest(".inline-field");
    editor.innerHTML = "";
    const button = part && part.querySelector(".edit-button");
    if (button) button.focus();
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      const editor = event.target.closest(".field-editor") || document.querySelector(".field-editor:has(form)");
      if (editor && editor.querySelector("form")) { event.preventDefault(); close(editor); }
      return;
    }
    if (event.key !== "e" || typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const focused = event.target.closest && event.target.closest(".inline-field");
    const button = (focused && focused.querySelector(".edit-button")) || document.querySelector(".inline-field .edit-button");
    if (button) { event.preventDefault(); button.click(); }
  });
  document.addEventListener("click", (event) => {
    const cancel = event.target.closest("[data-inline-cancel]");
    if (cancel) close(cancel.closest(".field-editor"));
  });
  // An editor that just opened (or came back refused, or redrawn with a dependent list) takes
  // the focus once htmx has wired it up (after the settle), so typing starts at once.
  document.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail.target;
    if (!target.classList) return;
    // An editor drawn by the server with the page (after a collision) gets the focus too.
    const editor = target.classList.contains("field-editor") ? target : target.querySelector(".field-editor:has(form)");
    if (!editor) return;
    const control = editor.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea");
    if (control && !editor.contains(document.activeElement)) control.focus();
  });
})();
