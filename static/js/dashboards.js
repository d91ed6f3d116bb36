// Manager dashboards: each card fetches its figure (JSON) and draws a Chart.js chart, the
// headline numbers and an accessible table of the same numbers. Text goes in through
// textContent only (names of services, agents and categories are user data).
(function () {
  const PALETTE = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#5694ca", "#85994b", "#b58840"];
  // A series with a tone (`chart.tones`, e.g. breached = danger) is drawn in the site's colour
  // for that tone (app.css custom properties), so red always means the same thing.
  const TONE_FALLBACK = { danger: "#b91c1c", warning: "#b45309" };

  function toneColour(tone) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(`--itsm-${tone}`);
    return value.trim() || TONE_FALLBACK[tone];
  }

  function seriesColour(spec, i) {
    const tone = spec.tones && spec.tones[i];
    return tone ? toneColour(tone) : PALETTE[i % PALETTE.length];
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function show(value, unit) {
    if (value === null || value === undefined) return "—";
    return unit ? `${value} ${unit}` : String(value);
  }

  function renderSummary(box, figure) {
    box.replaceChildren();
    for (const item of figure.summary) {
      const kpi = el("div", null, "kpi");
      const strong = el("strong", show(item.value, item.unit));
      if (item.url) {
        const link = el("a");
        link.href = item.url;
        link.appendChild(strong);
        kpi.appendChild(link);
      } else {
        kpi.appendChild(strong);
      }
      kpi.appendChild(el("small", item.label));
      box.appendChild(kpi);
    }
    for (const target of figure.targets.filter((t) => t.summary)) {
      const kpi = el("div", null, "kpi target");
      kpi.appendChild(el("strong", show(target.value)));
      kpi.appendChild(el("small", target.label));
      box.appendChild(kpi);
    }
  }

  function renderTable(box, figure) {
    const table = el("table", null, "striped");
    const caption = el("caption", figure.title);
    table.appendChild(caption);
    const head = el("thead");
    const headRow = el("tr");
    for (const column of figure.columns) {
      const th = el("th", column);
      th.scope = "col";
      headRow.appendChild(th);
    }
    head.appendChild(headRow);
    table.appendChild(head);
    const body = el("tbody");
    figure.rows.forEach((row, index) => {
      const tr = el("tr");
      row.forEach((cell, column) => {
        const td = el(column === 0 ? "th" : "td");
        if (column === 0) td.scope = "row";
        const link = figure.row_links[index];
        if (link && column === (figure.metric === "sla_now" ? 1 : 0)) {
          const a = el("a", show(cell));
          a.href = link;
          td.appendChild(a);
        } else {
          td.textContent = show(cell);
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.replaceChildren(table);
  }

  function renderChart(canvas, figure) {
    const spec = figure.chart;
    const labels = figure.rows.map((row) => row[spec.x]);
    const datasets = spec.series.map((column, i) => ({
      label: figure.columns[column],
      data: figure.rows.map((row) => row[column]),
      backgroundColor: spec.type === "doughnut" ? PALETTE : seriesColour(spec, i),
      borderColor: spec.type === "doughnut" ? "#fff" : seriesColour(spec, i),
      spanGaps: true,
      tension: 0,
    }));
    if (spec.type !== "doughnut") {
      figure.targets.filter((t) => !t.summary).forEach((target, i) => {
        datasets.push({
          type: "line",
          label: `${target.label} (${target.value})`,
          data: labels.map(() => target.value),
          borderColor: PALETTE[(i + 4) % PALETTE.length],
          borderDash: [6, 4],
          borderWidth: 1.5,
          pointRadius: 0,
          fill: false,
        });
      });
    }
    const scales = {};
    if (spec.type !== "doughnut") {
      const valueAxis = spec.horizontal ? "x" : "y";
      scales[valueAxis] = { beginAtZero: true };
      if (spec.max) scales[valueAxis].max = spec.max;
    }
    if (canvas._chart) canvas._chart.destroy();
    canvas._chart = new window.Chart(canvas, {
      type: spec.type,
      data: { labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        scales,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      },
    });
  }

  async function load(card) {
    const help = card.querySelector("[data-role=help]");
    try {
      const response = await fetch(card.dataset.src, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const figure = await response.json();
      help.textContent = figure.help;
      renderSummary(card.querySelector("[data-role=summary]"), figure);
      renderTable(card.querySelector("[data-role=table]"), figure);
      if (window.Chart && figure.rows.length) {
        renderChart(card.querySelector("canvas"), figure);
      }
      card.dataset.rendered = "true";
    } catch (error) {
      help.textContent = `Could not load this figure (${error.message}).`;
      card.dataset.rendered = "error";
    } finally {
      card.setAttribute("aria-busy", "false");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".dash-card[data-src]").forEach(load);
  });
})();
