// Keyboard shortcuts of the agent workspace (documented on the queue page).
(function () {
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]");
  }
  let selected = -1;
  function rows() { return Array.from(document.querySelectorAll(".ticket-table tbody tr")); }
  function select(index) {
    const all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("selected", i === selected));
    all[selected].querySelector("a").focus();
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const form = event.target.closest("form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const search = document.querySelector("#id_q");
    switch (event.key) {
      case "/": if (search) { event.preventDefault(); search.focus(); } break;
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "x": {
        const row = rows()[selected];
        if (row) { const box = row.querySelector("input[type=checkbox]"); box.checked = !box.checked; }
        break;
      }
      case "n": { const link = document.querySelector("a[href$='/desk/tickets/new/']"); if (link) link.click(); break; }
      case "a": { const button = document.querySelector("#assign-to-me"); if (button) button.click(); break; }
      case "r": { const box = document.querySelector("#reply-form textarea"); if (box) { event.preventDefault(); box.focus(); } break; }
    }
  });
})();

// "Insert link in reply": append an article's title and link to the reply box.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert]");
  if (!button) return;
  const box = document.querySelector("#reply-form textarea");
  if (!box) return;
  box.value = (box.value ? box.value.replace(/\s*$/, "\n\n") : "") + button.dataset.insert;
  const publicChoice = document.querySelector("#reply-form input[value=public]");
  if (publicChoice) publicChoice.checked = true;
  box.focus();
});

// "Save this view": the filter bar swaps only the table (htmx) and pushes its filters into
// the address bar, so the view to save is read from there when the form is sent, not from
// the value the page was first rendered with.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.save-filter");
  if (!form) return;
  const params = new URLSearchParams(location.search);
  params.delete("page");
  form.querySelector("input[name=query]").value = params.toString();
});

// Forms that come back to the queue view (the column chooser, the "More filters" toggle)
// send the view the address bar shows now: the filter bar may have changed it since load.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.keeps-view");
  if (!form) return;
  const params = new URLSearchParams(location.search);
  params.delete("page");
  form.querySelector("input[name=next]").value = params.toString();
});

// "More filters": opens and closes at once; the agent's choice is remembered in the
// background (without a script the button posts the choice and the page comes back).
document.addEventListener("click", (event) => {
  const button = event.target.closest("#more-filters-toggle");
  if (!button) return;
  event.preventDefault();
  const panel = document.getElementById(button.getAttribute("aria-controls"));
  const open = button.getAttribute("aria-expanded") !== "true";
  panel.hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  button.value = open ? "0" : "1";
  const form = document.getElementById("filters-toggle");
  const body = new FormData(form);
  body.set("filters_open", open ? "1" : "0");
  fetch(form.action, { method: "POST", body, headers: { "HX-Request": "true" }, credentials: "same-origin" })
    .then((response) => { if (!response.ok) throw new Error(String(response.status)); })
    .catch(() => { button.title = "Could not remember this choice; it applies to this page only."; });
  if (open) { const first = panel.querySelector("select, input"); if (first) first.focus(); }
});

// The column chooser closes with Escape, back on its summary.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const chooser = event.target.closest("details.column-chooser[open]");
  if (!chooser) return;
  chooser.open = false;
  chooser.querySelector("summary").focus();
});
