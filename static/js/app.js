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
