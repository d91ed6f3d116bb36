// Type-ahead for @mentions in the desk's reply box (templates/tickets/desk/_mention_typeahead.html).
// Delegated from the document, so it keeps working after htmx redraws the ticket.
(function () {
  "use strict";
  var timer = null;

  function box() { return document.querySelector("#reply-form textarea[name=body]"); }
  function list() { return document.getElementById("mention-suggestions"); }

  function wordBeforeCaret(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = /(^|[\s(])@([\w.+-]*)$/.exec(before);
    return match ? match[2] : null;
  }

  function close() { var l = list(); if (l) { l.hidden = true; l.innerHTML = ""; } }

  function choose(handle) {
    var textarea = box();
    if (!textarea) { return; }
    var caret = textarea.selectionStart;
    var before = textarea.value.slice(0, caret).replace(/@[\w.+-]*$/, "@" + handle + " ");
    textarea.value = before + textarea.value.slice(caret);
    textarea.selectionStart = textarea.selectionEnd = before.length;
    close();
    textarea.focus();
  }

  function show(items) {
    var l = list();
    if (!l) { return; }
    l.innerHTML = "";
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "mention-option-" + i;
      li.dataset.handle = item.handle;
      li.textContent = "@" + item.handle + " — " + item.label;
      if (i === 0) { li.setAttribute("aria-selected", "true"); }
      l.appendChild(li);
    });
    l.hidden = items.length === 0;
  }

  document.addEventListener("input", function (event) {
    var textarea = box();
    if (event.target !== textarea) { return; }
    var word = wordBeforeCaret(textarea);
    if (word === null) { close(); return; }
    var holder = document.querySelector("[data-mention-url]");
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(holder.dataset.mentionUrl + "?q=" + encodeURIComponent(word), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { show(data.results || []); })
        .catch(close);
    }, 150);
  });

  document.addEventListener("keydown", function (event) {
    var l = list();
    if (!l || l.hidden || event.target !== box()) { return; }
    var options = Array.prototype.slice.call(l.querySelectorAll("li"));
    var current = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = (current + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === next ? "true" : "false"); });
    } else if ((event.key === "Enter" || event.key === "Tab") && current >= 0) {
      event.preventDefault();
      choose(options[current].dataset.handle);
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest("#mention-suggestions li");
    if (option) { event.preventDefault(); choose(option.dataset.handle); }
  });
})();
