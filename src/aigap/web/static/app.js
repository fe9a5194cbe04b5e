/* aigap dashboard: draws the server's Plotly figures and wires the sliders to the API. */
(function () {
  "use strict";
  var PLOT_CONFIG = { displaylogo: false, responsive: true };
  // Colours of the ranking bars: the server sends aigap.present.theme's in the page's data.
  var HL = "#d62728", BASE = "#0072B2";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  // Plotly.js (4.8 MB) is fetched after the page's load event: the server-rendered ranking
  // table and sliders are usable at once, and charts appear as soon as the library compiles.
  var plotlyReady = new Promise(function (resolve, reject) {
    function inject() {
      if (window.Plotly) { resolve(window.Plotly); return; }
      var tag = document.createElement("script");
      tag.src = "/vendor/plotly.min.js";
      tag.onload = function () { resolve(window.Plotly); };
      tag.onerror = function () { reject(new Error("could not load /vendor/plotly.min.js")); };
      document.head.appendChild(tag);
    }
    if (document.readyState === "complete") { setTimeout(inject, 0); }
    else { window.addEventListener("load", function () { setTimeout(inject, 0); }); }
  });
  function draw(el, fig) {
    return plotlyReady.then(function (Plotly) {
      return Plotly.react(el, fig.data || [], fig.layout || {}, PLOT_CONFIG);
    });
  }
  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  function fmt(v) { return v === null || v === undefined ? "\u2013" : v.toFixed(1); }
  function cell(tag, text, cls) {
    var c = document.createElement(tag);
    c.textContent = text;
    if (cls) { c.className = cls; }
    return c;
  }

  // --- figures embedded in the page -------------------------------------------------
  function drawEmbedded() {
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var fig = readJSON(el.dataset.figure);
      if (fig) { draw(el, fig); }
    });
  }

  // --- ranking page -------------------------------------------------------------------
  function rankingPage() {
    var form = document.getElementById("weights");
    if (!form) { return; }
    var data = readJSON("ranking-data");
    var S = readJSON("strings") || {};
    if (data && data.colours) { HL = data.colours.highlight; BASE = data.colours.base; }
    var chart = document.getElementById("scores-chart");
    var status = document.getElementById("rank-status");
    var sliders = form.querySelectorAll("input[type=range]");
    var seq = 0, controller = null;

    function barChart(d) {
      var rows = d.rows.filter(function (r) { return r.score !== null; }).slice(0, 30);
      draw(chart, {
        data: [{
          type: "bar", x: rows.map(function (r) { return r.name; }),
          y: rows.map(function (r) { return r.score; }),
          marker: { color: rows.map(function (r) { return r.unit === "KOR" ? HL : BASE; }) },
          hovertemplate: "%{x}: %{y:.1f}<extra></extra>"
        }],
        layout: {
          margin: { l: 50, r: 10, t: 10, b: 120 }, height: 380, template: "plotly_white",
          yaxis: { title: { text: S.index_score || "score" }, range: [0, 100] },
          xaxis: { tickangle: -50, automargin: true },
          font: { family: "Noto Sans CJK KR, Noto Sans KR, sans-serif" }
        }
      });
    }

    function renderTable(d) {
      var body = document.getElementById("ranking-body");
      var frag = document.createDocumentFragment();
      d.rows.forEach(function (r) {
        var tr = document.createElement("tr");
        tr.dataset.unit = r.unit;
        if (r.unit === "KOR") { tr.className = "hl"; }
        tr.appendChild(cell("td", r.rank === null ? "\u2013" : String(r.rank), "num"));
        var td = document.createElement("td");
        var a = cell("a", r.name);
        a.href = "/country/" + encodeURIComponent(r.unit);
        td.appendChild(a);
        td.appendChild(document.createTextNode(" "));
        td.appendChild(cell("span", r.unit, "code"));
        tr.appendChild(td);
        tr.appendChild(cell("td", fmt(r.score), "num"));
        d.pillars.forEach(function (p) { tr.appendChild(cell("td", fmt(r.pillars[p.code]), "num")); });
        frag.appendChild(tr);
      });
      body.replaceChildren(frag);
    }

    function announce(d) {
      var kor = d.rows.find(function (r) { return r.unit === "KOR"; });
      var top = d.rows.slice(0, 3).map(function (r) { return r.rank + ". " + r.name; }).join(", ");
      status.textContent = (kor ? kor.name + ": " + S.rank + " " + kor.rank + " \u00b7 " : "") + top;
    }

    function weights() {
      var w = {};
      sliders.forEach(function (s) { w[s.dataset.pillar] = parseFloat(s.value); });
      return w;
    }

    function rerank() {
      var mine = ++seq;
      if (controller) { controller.abort(); }
      controller = new AbortController();
      fetch("/api/v1/index/" + encodeURIComponent(form.dataset.spec) + "/rank?lang=" + form.dataset.lang, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ weights: weights() }), signal: controller.signal
      }).then(function (resp) {
        return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
      }).then(function (res) {
        if (mine !== seq) { return; }  // a newer request is on its way
        if (!res.ok) { status.textContent = res.body.error || "error"; return; }
        renderTable(res.body);
        barChart(res.body);
        announce(res.body);
      }).catch(function (err) {
        if (err.name !== "AbortError") { status.textContent = String(err); }
      });
    }

    var later = debounce(rerank, 60);
    sliders.forEach(function (s) {
      s.addEventListener("input", function () {
        var out = document.querySelector("output[for='" + s.id + "']");
        if (out) { out.textContent = parseFloat(s.value).toFixed(2); }
        s.setAttribute("aria-valuetext", parseFloat(s.value).toFixed(2));
        later();
      });
    });
    document.getElementById("reset-weights").addEventListener("click", function () {
      sliders.forEach(function (s) {
        s.value = s.dataset.default;
        var out = document.querySelector("output[for='" + s.id + "']");
        if (out) { out.textContent = parseFloat(s.value).toFixed(2); }
      });
      rerank();
    });
    barChart(data);

    // Rank intervals run a Monte Carlo on the server: only when asked, never on page load.
    var ri = document.getElementById("intervals-chart");
    if (ri) {
      var heading = document.getElementById("ri-h");
      var ask = document.createElement("button");
      ask.type = "button";
      ask.className = "load-intervals";
      ask.textContent = "\u25B6 " + (heading ? heading.textContent : "");
      ri.textContent = "";
      ri.appendChild(ask);
      ask.addEventListener("click", function () { loadIntervals(ri, S); });
    }
  }

  function loadIntervals(ri, S) {
    ri.textContent = S.loading || "\u2026";
    fetch("/api/v1/robustness?n=1000&seed=0&figure=true&spec=" + encodeURIComponent(ri.dataset.spec) +
          "&lang=" + ri.dataset.lang)
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (body) {
        if (!body || !body.figure) { ri.textContent = S.not_available || "n/a"; return; }
        ri.textContent = "";
        body.figure.layout.font = { family: "Noto Sans CJK KR, Noto Sans KR, sans-serif" };
        draw(ri, body.figure);
      })
      .catch(function () { ri.textContent = S.not_available || "n/a"; });
  }

  // --- AI top-3 headline panel: fetched when opened (the server computes it once, then caches)
  function headlinePanel() {
    var panel = document.getElementById("ai3-panel");
    if (!panel) { return; }
    var body = document.getElementById("ai3-body");
    var S = readJSON("strings") || {};
    panel.addEventListener("toggle", function () {
      if (!panel.open || panel.dataset.loaded) { return; }
      panel.dataset.loaded = "1";
      body.textContent = S.loading || "…";
      function fail() { body.textContent = S.not_available || "n/a"; delete panel.dataset.loaded; }
      fetch("/api/v1/headline?unit=" + encodeURIComponent(panel.dataset.unit) + "&spec=" +
            encodeURIComponent(panel.dataset.spec) + "&lang=" + panel.dataset.lang)
        .then(function (resp) { return resp.ok ? resp.json() : null; })
        .then(function (h) {
          if (!h) { fail(); return; }
          var frag = document.createDocumentFragment();
          ["full", "range", "smaa"].forEach(function (part) {
            (h.lines[part] || []).forEach(function (line, i) {
              var p = document.createElement("p");
              p.textContent = line;
              if (i > 0) { p.className = "note"; }  // the assumptions of the number above
              frag.appendChild(p);
            });
          });
          body.replaceChildren(frag);
        })
        .catch(fail);
    });
  }

  // --- tournament page ----------------------------------------------------------------
  function tournamentPage() {
    var form = document.getElementById("tournament-form");
    if (!form) { return; }
    var slider = document.getElementById("noise");
    var out = document.getElementById("noise-v");
    var status = document.getElementById("tournament-status");
    var chart = document.getElementById("tournament-chart");
    var seq = 0;

    function update() {
      var mine = ++seq;
      var url = "/api/v1/tournament?figure=true&n=" + form.dataset.n + "&lang=" + form.dataset.lang +
                "&noise=" + encodeURIComponent(slider.value);
      status.textContent = "\u2026";
      fetch(url).then(function (resp) {
        return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
      }).then(function (res) {
        if (mine !== seq) { return; }
        if (!res.ok) { status.textContent = res.body.error || "error"; return; }
        draw(chart, res.body.figure);
        var body = document.querySelector("#tournament-table tbody");
        var frag = document.createDocumentFragment();
        res.body.summary.forEach(function (row) {
          var vals = Object.values(row);
          var tr = document.createElement("tr");
          tr.appendChild(cell("th", vals[0]));
          tr.appendChild(cell("td", Number(vals[1]).toFixed(3), "num"));
          tr.appendChild(cell("td", Number(vals[2]).toFixed(3), "num"));
          frag.appendChild(tr);
        });
        body.replaceChildren(frag);
        status.textContent = res.body.figure_title || "";
      }).catch(function (err) { status.textContent = String(err); });
    }
    var later = debounce(update, 120);
    slider.addEventListener("input", function () {
      out.textContent = parseFloat(slider.value).toFixed(2);
      later();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawEmbedded();
    rankingPage();
    headlinePanel();
    tournamentPage();
  });
})();
