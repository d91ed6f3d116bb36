// Small behaviours shared by every page. Page-specific scripts live next to this file.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const box = document.createElement("p");
  box.className = "flash flash-error";
  box.setAttribute("role", "alert");
  box.textContent = status >= 500
    ? "Something went wrong on our side. Nothing was saved half-way; please try again."
    : "That did not work (" + status + "). Reload the page and try again.";
  (document.querySelector("#main") || document.body).prepend(box);
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
