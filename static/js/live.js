// Live ticket pages and queues (tickets/live.py, tickets/views/live.py): a tiny poll says
// whether the ticket changed and who else is on it; a change fetches the page's own partial
// (the ordinary ticket view) and puts in the parts the agent is not busy in. What is being
// typed is never replaced. The queue says "N new or changed — refresh".
(function () {
  "use strict";

  function setPaused(bar, paused) {
    bar.querySelector(".live-paused").hidden = !paused;
  }

  function getJSON(url, headers) {
    return fetch(url, {
      headers: { Accept: "application/json", ...(headers || {}) },
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
    });
  }

  // ---- the ticket page ------------------------------------------------------------------
  function ticketPage(bar) {
    const every = Number(bar.dataset.every) * 1000;
    const presenceLine = document.getElementById("live-presence");
    let presence = "";
    let lastTyped = 0;
    let lastTypingSent = 0;
    let pending = false; // a change the agent was busy in: put in at the next beat
    let paused = false;
    let stopped = false;
    let timer = null;
    let inFlight = false;
    let openedAt = maxCommentId(); // the last comment when the reply box was opened
    let acknowledged = false;
    let fetchedVersion = ""; // the version of the last partial fetched, shown or not

    function main() { return document.getElementById("ticket-main"); }
    function shownVersion() {
      const marker = document.getElementById("live-version");
      return marker ? marker.dataset.version : "";
    }
    function token() {
      const marker = document.getElementById("live-version");
      return marker ? marker.dataset.token : "";
    }
    function comments(root) {
      return Array.from((root || document).querySelectorAll("#ticket-main .conversation li.comment"));
    }
    function commentId(li) { return Number(li.id.replace("comment-", "")) || 0; }
    function maxCommentId() {
      return comments().reduce((max, li) => Math.max(max, commentId(li)), 0);
    }
    function othersSinceOpened() {
      return comments().filter((li) => commentId(li) > openedAt);
    }
    function typing() { return Date.now() - lastTyped < 4000; }

    function dirty(root) {
      return Array.from(root.querySelectorAll("input, textarea, select")).some((c) => {
        if (c.type === "hidden" || c.type === "submit" || c.type === "button") return false;
        if (c.type === "checkbox" || c.type === "radio") return c.checked !== c.defaultChecked;
        if (c.tagName === "SELECT") {
          const options = Array.from(c.options);
          // No option marked selected: the browser shows the first one, which is no edit.
          if (!c.multiple && !options.some((o) => o.defaultSelected)) return c.selectedIndex > 0;
          return options.some((o) => o.selected !== o.defaultSelected);
        }
        if (c.type === "file") return c.files && c.files.length > 0;
        return c.value !== c.defaultValue;
      });
    }
    function busy(root) {
      const active = document.activeElement;
      if (active && active !== document.body && root.contains(active)) return true;
      if (Array.from(root.querySelectorAll(".field-editor")).some((slot) => slot.children.length)) return true;
      return dirty(root);
    }
    function put(old, fresh) {
      if (!old || !fresh) return true;
      if (busy(old)) return false;
      old.replaceWith(fresh);
      if (window.htmx) window.htmx.process(fresh);
      return true;
    }

    async function refresh() {
      const response = await fetch(bar.dataset.pageUrl, {
        headers: { "HX-Request": "true" }, credentials: "same-origin", cache: "no-store",
        redirect: "manual",
      });
      if (response.type === "opaqueredirect") { stopped = true; pause(true); return; }
      if (!response.ok) return;
      const template = document.createElement("template");
      template.innerHTML = await response.text();
      const fresh = template.content;
      const current = main();
      let all = true;
      all = put(current.querySelector(".ticket-head"), fresh.querySelector(".ticket-head")) && all;
      all = put(current.querySelector(".ticket-side"), fresh.querySelector(".ticket-side")) && all;
      // The body, around the reply box: the conversation, description, resolution…
      const body = current.querySelector(".ticket-body");
      const freshBody = fresh.querySelector(".ticket-body");
      if (body && freshBody) {
        const reply = body.querySelector(":scope > #reply-form");
        const freshReply = freshBody.querySelector(":scope > #reply-form");
        const olds = Array.from(body.children).filter((el) => el !== reply);
        if (olds.some(busy)) {
          all = false;
        } else {
          olds.forEach((el) => el.remove());
          Array.from(freshBody.children).forEach((el) => {
            if (el === freshReply) return;
            body.insertBefore(el, reply);
            if (window.htmx) window.htmx.process(el);
          });
          if (!reply && freshReply) { body.appendChild(freshReply); window.htmx && window.htmx.process(freshReply); }
          if (reply && !freshReply && !busy(reply)) reply.remove();
        }
      }
      const marker = current.querySelector("#live-version");
      const freshMarker = fresh.querySelector("#live-version");
      if (freshMarker) fetchedVersion = freshMarker.dataset.version;
      if (marker && freshMarker) {
        marker.dataset.token = freshMarker.dataset.token;
        if (all) marker.dataset.version = freshMarker.dataset.version;
      }
      pending = !all;
      const others = othersSinceOpened();
      if (others.length) {
        warn(others, false);
      } else if (all) {
        // A change shown live is no surprise: the reply box sends against it.
        const version = document.querySelector("#reply-form input[name=version]");
        if (version) version.value = shownVersion();
      }
    }

    function names(items) {
      if (items.length <= 1) return items.join("");
      return items.slice(0, -1).join(", ") + " and " + items[items.length - 1];
    }
    function showPresence(viewers, typists) {
      const parts = [];
      const watching = viewers.filter((name) => !typists.includes(name));
      if (watching.length) parts.push(names(watching) + (watching.length > 1 ? " are viewing" : " is viewing"));
      if (typists.length) parts.push(names(typists) + (typists.length > 1 ? " are typing a reply…" : " is typing a reply…"));
      presenceLine.textContent = parts.join(" · ");
    }

    // The reply box's warning: someone else sent while the agent was writing.
    function warningSlot(form) {
      let slot = form.querySelector("#live-reply-warning");
      if (!slot) {
        slot = document.createElement("div");
        slot.id = "live-reply-warning";
        slot.className = "live-warning";
        slot.setAttribute("role", "alert");
        form.insertBefore(slot, form.querySelector("button[type=submit]"));
      }
      return slot;
    }
    function warn(others, blocking, submitter) {
      const form = document.getElementById("reply-form");
      if (!form) return;
      const authors = [...new Set(others.map((li) => li.querySelector("header strong").textContent.trim()))];
      const slot = warningSlot(form);
      slot.replaceChildren();
      const text = document.createElement("p");
      text.textContent = `${names(authors)} sent a message on this ticket since you opened the reply box. Read it above before you send.`;
      slot.appendChild(text);
      if (blocking) {
        const anyway = document.createElement("button");
        anyway.type = "button";
        anyway.className = "outline";
        anyway.id = "live-send-anyway";
        anyway.textContent = "Send anyway";
        anyway.addEventListener("click", () => {
          acknowledged = true;
          const version = form.querySelector("input[name=version]");
          if (version) version.value = fetchedVersion || shownVersion();
          form.requestSubmit(submitter && form.contains(submitter) ? submitter : undefined);
        });
        slot.appendChild(anyway);
        anyway.focus();
      }
    }
    // Capturing, so it runs before htmx's own submit handler on the form.
    document.addEventListener("submit", (event) => {
      const form = event.target;
      if (form.id !== "reply-form" || acknowledged) return;
      const others = othersSinceOpened();
      if (!others.length) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      warn(others, true, event.submitter);
    }, true);
    // The agent's own action drew the page afresh: the reply box starts again.
    document.body.addEventListener("htmx:afterSwap", (event) => {
      if (event.detail.target && event.detail.target.id === "ticket-main") {
        openedAt = maxCommentId();
        acknowledged = false;
        pending = false;
        lastTyped = 0; // the reply box was drawn afresh: tell the others at once
        schedule(0);
      }
    });
    document.addEventListener("input", (event) => {
      if (!event.target.closest("#reply-form")) return;
      lastTyped = Date.now();
      if (Date.now() - lastTypingSent > 2000) schedule(0);
    });

    function schedule(delay) {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(beat, delay);
    }
    function pause(on) {
      paused = on;
      setPaused(bar, on);
      if (on) presenceLine.textContent = "";
    }
    async function beat() {
      if (inFlight) { schedule(500); return; }
      inFlight = true;
      let next = every;
      const isTyping = typing();
      const query = new URLSearchParams({ v: shownVersion(), p: presence, typing: isTyping ? "1" : "0" });
      try {
        const response = await getJSON(`${bar.dataset.url}?${query}`, { "X-Live-Token": token() });
        if (isTyping) lastTypingSent = Date.now();
        if (response.status === 204) {
          const resumed = paused;
          pause(false);
          if (pending || resumed) await refresh();
        } else if (response.ok) {
          const data = await response.json();
          if (data.paused) {
            pause(true);
            presence = "";
            next = every * 2;
          } else {
            const resumed = paused;
            pause(false);
            presence = data.p;
            showPresence(data.viewers, data.typing);
            if (data.changed || pending || resumed) await refresh();
          }
        } else if (response.status === 403) {
          // The token expired: the page draws itself again, which brings a new one (or finds
          // the agent signed out, and stops).
          await refresh();
        } else {
          pause(true);
          next = every * 2;
        }
      } catch (error) {
        pause(true);
        next = every * 2;
      } finally {
        inFlight = false;
        schedule(next);
      }
    }
    window.addEventListener("pagehide", () => {
      const token = document.querySelector("input[name=csrfmiddlewaretoken]");
      if (!token || !navigator.sendBeacon) return;
      const data = new FormData();
      data.append("csrfmiddlewaretoken", token.value);
      navigator.sendBeacon(bar.dataset.leaveUrl, data);
    });
    schedule(0);
  }

  // ---- the queue --------------------------------------------------------------------------
  function queuePage(bar) {
    const every = Number(bar.dataset.every) * 1000;
    const offset = Number(bar.dataset.now) - Date.now() / 1000;
    const notice = document.getElementById("live-queue-notice");
    let since = Number(bar.dataset.now);
    document.body.addEventListener("htmx:afterSwap", (event) => {
      if (event.detail.target && event.detail.target.id === "ticket-table") {
        since = Date.now() / 1000 + offset;
        notice.hidden = true;
      }
    });
    notice.addEventListener("click", () => { notice.href = window.location.href; });
    async function beat() {
      let next = every;
      const query = new URLSearchParams(window.location.search);
      query.set("since", since.toFixed(3));
      try {
        const response = await getJSON(`${bar.dataset.url}?${query}`);
        if (response.status === 204) {
          setPaused(bar, false);
          notice.hidden = true;
        } else if (response.ok) {
          const data = await response.json();
          setPaused(bar, Boolean(data.paused));
          if (data.paused) {
            next = every * 2;
          } else {
            notice.textContent = `${data.count}${data.more ? "+" : ""} new or changed — refresh`;
            notice.href = window.location.href;
            notice.hidden = false;
          }
        } else if (response.type === "opaqueredirect" || response.status === 403) {
          setPaused(bar, true);
          return;
        } else {
          next = every * 2;
        }
      } catch (error) {
        setPaused(bar, true);
        next = every * 2;
      }
      setTimeout(beat, next);
    }
    setTimeout(beat, every);
  }

  function start() {
    const ticketBar = document.getElementById("live-ticket");
    const queueBar = document.getElementById("live-queue");
    if (ticketBar) ticketPage(ticketBar);
    if (queueBar) queuePage(queueBar);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
