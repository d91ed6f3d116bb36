// The Markdown editor (templates/components/_markdown_editor.html): Write / Preview tabs,
// images pasted or dropped into the box uploaded as attachments, and canned responses
// inserted with "::" or Ctrl+Shift+C. Everything the server answers is rendered there
// (the preview by the one renderer, the canned text with its placeholders filled).
(function () {
  "use strict";

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function insertAt(textarea, start, end, text) {
    textarea.focus();
    textarea.setRangeText(text, start, end, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setup(editor) {
    if (editor.dataset.mdReady) return;
    editor.dataset.mdReady = "1";
    const textarea = editor.querySelector("textarea");
    const write = editor.querySelector(".md-write");
    const preview = editor.querySelector(".md-preview");
    const status = editor.querySelector(".md-status");
    const suggestions = editor.querySelector(".md-suggestions");
    const tabs = editor.querySelectorAll("[data-md-tab]");
    if (!textarea) return;

    function say(message) {
      status.textContent = message || "";
      status.hidden = !message;
    }

    // --- Write / Preview ---
    function show(which) {
      tabs.forEach(function (tab) {
        tab.setAttribute("aria-selected", String(tab.dataset.mdTab === which));
      });
      write.hidden = which !== "write";
      preview.hidden = which !== "preview";
      if (which === "preview") {
        preview.innerHTML = '<p class="muted">Rendering…</p>';
        // The body as source: the CSRF header (hx-headers) without the surrounding form.
        htmx.ajax("POST", editor.dataset.previewUrl, {
          source: document.body,
          target: preview,
          swap: "innerHTML",
          values: { text: textarea.value },
        });
      } else {
        textarea.focus();
      }
    }
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function () { show(tab.dataset.mdTab); });
    });

    // --- Pasted and dropped images ---
    const uploadUrl = editor.dataset.uploadUrl;
    function upload(file) {
      const placeholder = "![Uploading " + (file.name || "image") + "…]()";
      insertAt(textarea, textarea.selectionStart, textarea.selectionEnd, placeholder);
      const body = new FormData();
      body.append("image", file, file.name || "pasted-image.png");
      say("");
      fetch(uploadUrl, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (answer) {
          const at = textarea.value.indexOf(placeholder);
          const text = answer.ok ? answer.data.markdown : "";
          if (at >= 0) insertAt(textarea, at, at + placeholder.length, text);
          if (!answer.ok) say(answer.data.error || "The image could not be uploaded.");
        })
        .catch(function () {
          const at = textarea.value.indexOf(placeholder);
          if (at >= 0) insertAt(textarea, at, at + placeholder.length, "");
          say("The image could not be uploaded; check your connection and try again.");
        });
    }
    function imagesOf(list) {
      return Array.prototype.filter.call(list || [], function (file) {
        return file.type && file.type.indexOf("image/") === 0;
      });
    }
    // A form that creates the ticket has nowhere to upload to yet: the image joins the
    // form's own file field, and the text names it (attached:NAME), which the server turns
    // into the stored attachment's address when the ticket is created.
    const attachName = editor.dataset.attachTo;
    const attachInput = attachName && textarea.form
      ? textarea.form.querySelector('input[type="file"][name="' + attachName + '"]')
      : null;
    function attach(file) {
      const taken = Array.prototype.map.call(attachInput.files, function (f) { return f.name; });
      const extension = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
      // Spaces and brackets would end the Markdown link early.
      let name = (file.name && file.name !== "image." + extension ? file.name : "screenshot." + extension)
        .replace(/[\s()\[\]]+/g, "-");
      for (let n = 2; taken.indexOf(name) >= 0; n++) name = "screenshot-" + n + "." + extension;
      const files = new DataTransfer();
      Array.prototype.forEach.call(attachInput.files, function (f) { files.items.add(f); });
      files.items.add(new File([file], name, { type: file.type }));
      attachInput.files = files.files;
      say("");
      insertAt(textarea, textarea.selectionStart, textarea.selectionEnd, "![" + name + "](attached:" + name + ")");
    }
    const take = uploadUrl ? upload : attachInput ? attach : null;
    if (take) {
      textarea.addEventListener("paste", function (event) {
        const files = imagesOf(event.clipboardData && event.clipboardData.files);
        if (!files.length) return;
        event.preventDefault();
        files.forEach(take);
      });
      textarea.addEventListener("dragover", function (event) {
        if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
          event.preventDefault();
        }
      });
      textarea.addEventListener("drop", function (event) {
        const files = imagesOf(event.dataTransfer && event.dataTransfer.files);
        if (!files.length) return;
        event.preventDefault();
        files.forEach(take);
      });
    }

    // --- Canned responses: "::" then type-ahead ---
    const cannedUrl = editor.dataset.cannedUrl;
    let results = [];
    let active = -1;
    let trigger = null; // where "::" starts in the text
    let pending = 0;

    function closeSuggestions() {
      suggestions.hidden = true;
      suggestions.innerHTML = "";
      results = [];
      active = -1;
      trigger = null;
    }
    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(suggestions.children, function (li, i) {
        li.setAttribute("aria-selected", String(i === index));
      });
    }
    function render() {
      suggestions.innerHTML = "";
      if (!results.length) {
        const li = document.createElement("li");
        li.className = "muted";
        li.textContent = "No canned response matches.";
        suggestions.appendChild(li);
      }
      results.forEach(function (result, i) {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.index = String(i);
        li.textContent = result.title;
        const scope = document.createElement("small");
        scope.className = "muted";
        scope.textContent = " · " + result.scope;
        li.appendChild(scope);
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        suggestions.appendChild(li);
      });
      suggestions.hidden = false;
      highlight(results.length ? 0 : -1);
    }
    function search(query) {
      const ticket = ++pending;
      fetch(cannedUrl + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (ticket !== pending || trigger === null) return;
          results = data.results || [];
          render();
        })
        .catch(function () { say("Canned responses could not be loaded."); });
    }
    function choose(index) {
      const result = results[index];
      if (!result || trigger === null) return;
      const start = trigger;
      const end = textarea.selectionStart;
      closeSuggestions();
      fetch(result.url, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { insertAt(textarea, start, end, data.body); })
        .catch(function () { say("The canned response could not be inserted."); });
    }
    function watchTrigger() {
      const before = textarea.value.slice(0, textarea.selectionStart);
      const match = before.match(/(?:^|\s)::([^\s:]{0,40})$/);
      if (!match) {
        if (trigger !== null) closeSuggestions();
        return;
      }
      trigger = before.length - match[1].length - 2;
      search(match[1]);
    }
    if (cannedUrl) {
      textarea.addEventListener("input", watchTrigger);
      textarea.addEventListener("blur", function () { setTimeout(closeSuggestions, 150); });
      textarea.addEventListener("keydown", function (event) {
        if (event.ctrlKey && event.shiftKey && (event.key === "C" || event.key === "c")) {
          event.preventDefault();
          const at = textarea.selectionStart;
          const lead = at > 0 && !/\s/.test(textarea.value[at - 1]) ? " ::" : "::";
          insertAt(textarea, at, textarea.selectionEnd, lead);
          return;
        }
        if (suggestions.hidden) return;
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          if (!results.length) return;
          const step = event.key === "ArrowDown" ? 1 : -1;
          highlight((active + step + results.length) % results.length);
        } else if (event.key === "Enter" || event.key === "Tab") {
          if (active >= 0) {
            event.preventDefault();
            event.stopPropagation();
            choose(active);
          }
        } else if (event.key === "Escape") {
          event.preventDefault();
          closeSuggestions();
        }
      });
    }
  }

  function setupAll(root) {
    if (root.matches && root.matches("[data-md-editor]")) setup(root);
    root.querySelectorAll("[data-md-editor]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", function () { setupAll(document); });
  // htmx swaps in new forms (the ticket page after a reply): set those up too.
  document.addEventListener("htmx:load", function (event) { setupAll(event.target); });
})();
