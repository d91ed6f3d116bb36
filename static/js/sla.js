// Counts SLA due times down on queue rows: "in 2h 05m" / "overdue 12m" (wall clock to the
// due instant, which the server computed in business time). Refreshes every 30 seconds.
(function () {
  function format(minutes) {
    const m = Math.abs(minutes), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), r = m % 60;
    const text = d ? `${d}d ${h}h` : h ? `${h}h ${String(r).padStart(2, "0")}m` : `${r}m`;
    return minutes < 0 ? `overdue ${text}` : `in ${text}`;
  }
  function tick() {
    document.querySelectorAll(".sla-cell [data-due]").forEach((badge) => {
      const left = badge.querySelector(".sla-left");
      if (!left) return;
      const minutes = Math.floor((Date.parse(badge.dataset.due) - Date.now()) / 60000);
      left.textContent = format(minutes);
      if (minutes < 0 && badge.dataset.slaState !== "breached") {
        badge.classList.remove("badge-success", "badge-warning");
        badge.classList.add("badge-danger");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 30000);
})();
