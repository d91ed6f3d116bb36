// Small behaviours shared by every page. Page-specific scripts live next to this file.

// A refused request (400 bad input, 403 not allowed, 404 gone, 409 stale version, 422) carries
// the server's own message, placed where the person acted (itsm/core/refusals.py): swap it
// like a success. Only a server failure or a lost connection gets the generic message below.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "^(40[0349]|422)$", swap: true, error: false },
  { code: "[45]..", swap: false, error: true },
];

function showFailure(text) {
  const box = document.createElement("p");
  box.className = "flash flash-error";
  box.setAttribute("role", "alert");
  box.textContent = text;
  (document.querySelector("#main") || document.body).prepend(box);
}

document.addEventListener("htmx:responseError", () => {
  showFailure("Something went wrong on our side. Nothing was saved half-way; please try again.");
});
document.addEventListener("htmx:sendError", () => {
  showFailure("The server could not be reached. Check your connection and try again.");
});

// A stale version was refused: the form that was sent now carries the current version, so
// sending it again (after reading what changed) is not refused a second time.
document.addEventListener("itsm:stale", (event) => {
  const form = event.target.closest("form") || event.target;
  form.querySelectorAll('input[name="version"]').forEach((input) => {
    input.value = event.detail.version;
  });
});

// "Requesters see: …" previews: a [data-preview-of=<input id>] element follows what the
// agent types into that field, so the public wording is checked before it is saved.
document.addEventListener("input", (event) => {
  const id = event.target.id;
  if (!id) return;
  document.querySelectorAll(`[data-preview-of="${id}"]`).forEach((preview) => {
    preview.textContent = event.target.value.trim() || preview.dataset.previewEmpty || "";
  });
});
