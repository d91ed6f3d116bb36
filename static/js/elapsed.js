// Keeps "12 min elapsed" ticking on elements with data-elapsed-since (an ISO instant); an
// element with data-elapsed-until (a resolved major incident) stays fixed. The words match
// itsm.core.dates.format_duration, which renders the first value on the server.
(function () {
  function format(ms) {
    const total = Math.max(0, Math.floor(ms / 60000));
    const days = Math.floor(total / 1440), hours = Math.floor((total % 1440) / 60), minutes = total % 60;
    if (days) return hours ? `${days} d ${hours} h` : `${days} d`;
    if (hours) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
    return minutes ? `${minutes} min` : "less than a minute";
  }
  function tick() {
    document.querySelectorAll("[data-elapsed-since]:not([data-elapsed-until])").forEach((el) => {
      el.textContent = format(Date.now() - Date.parse(el.dataset.elapsedSince));
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 15000);
})();
