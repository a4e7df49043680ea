/* spinscope report: explanation panel, keyboard access, legend filters. No network, no eval. */
(function () {
  "use strict";
  var root = document.querySelector(".ss-report");
  if (!root) return;
  var data = {};
  var dataEl = document.getElementById("spinscope-data");
  try { data = dataEl ? JSON.parse(dataEl.textContent) : {}; } catch (e) { data = {}; }
  var techniques = Array.isArray(data.techniques) ? data.techniques : [];
  var quotes = Array.isArray(data.quotes) ? data.quotes : [];
  var claims = Array.isArray(data.claims) ? data.claims : [];
  var panel = root.querySelector(".ss-panel");
  var panelQuote = panel.querySelector(".ss-panel-quote");
  var panelBody = panel.querySelector(".ss-panel-body");
  var runs = root.querySelectorAll(".ss-run");
  var colours = {};
  var hidden = {};
  var active = null;

  root.querySelectorAll(".ss-legend-item").forEach(function (b) { colours[b.dataset.technique] = b.dataset.colour; });

  function ints(value) {
    return (value || "").split(" ").filter(Boolean).map(Number);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function shownTechniques(run) {
    return ints(run.dataset.t).filter(function (i) {
      return techniques[i] && !hidden[techniques[i].technique];
    });
  }

  function notes(run) {
    var list = [];
    if (run.dataset.o) list.push("Part of an opinion sentence: the writer's own view, not reporting.");
    ints(run.dataset.q).forEach(function (i) {
      var q = quotes[i] || {};
      var line = (q.kind || "direct") + " quote";
      if (q.speaker_name) line += " by " + q.speaker_name + (q.speaker_type ? " (" + q.speaker_type + ")" : "");
      list.push(line.charAt(0).toUpperCase() + line.slice(1) + ".");
    });
    ints(run.dataset.c).forEach(function (i) {
      var c = claims[i] || {};
      var reasons = Array.isArray(c.reasons) && c.reasons.length ? " (" + c.reasons.join(", ") + ")" : "";
      list.push("Checkable claim" + reasons + ".");
    });
    return list;
  }

  function open(run) {
    if (active) active.classList.remove("ss-active");
    active = run;
    run.classList.add("ss-active");
    panelQuote.textContent = "\u201c" + run.textContent + "\u201d";
    var parts = [];
    var shown = shownTechniques(run);
    if (shown.length) {
      var cards = el("ul", "ss-cards");
      shown.forEach(function (i) {
        var card = document.getElementById("ss-t-" + i);
        if (!card) return;
        var copy = card.cloneNode(true);
        copy.removeAttribute("id");
        cards.appendChild(copy);
      });
      parts.push(cards);
    }
    var extra = notes(run);
    if (extra.length) {
      var ul = el("ul", "ss-notes");
      extra.forEach(function (line) { ul.appendChild(el("li", "", line)); });
      parts.push(ul);
    }
    if (!parts.length) parts.push(el("p", "ss-empty", "Nothing is marked here."));
    panelBody.replaceChildren.apply(panelBody, parts);
    panel.hidden = false;
  }

  function close() {
    panel.hidden = true;
    if (active) {
      active.classList.remove("ss-active");
      if (active.tabIndex >= 0) active.focus();
      active = null;
    }
  }

  function paint(run) {
    var ids = [];
    shownTechniques(run)
      .sort(function (a, b) { return (techniques[b].score || 0) - (techniques[a].score || 0) || a - b; })
      .forEach(function (i) {
        var id = techniques[i].technique;
        if (ids.indexOf(id) < 0) ids.push(id);
      });
    var n = ids.length;
    if (!n) {
      run.style.backgroundImage = "";
      run.classList.add("ss-off");
      run.tabIndex = -1;
      return;
    }
    var bands = ids.map(function (id, k) {
      var c = colours[id] || "#d9d9d9";
      return c + " " + (100 * k / n).toFixed(2) + "% " + (100 * (k + 1) / n).toFixed(2) + "%";
    });
    run.style.backgroundImage = "linear-gradient(to bottom," + bands.join(",") + ")";
    run.classList.remove("ss-off");
    run.tabIndex = 0;
  }

  root.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var run = target.closest(".ss-run");
    if (run) { open(run); return; }
    if (target.closest(".ss-close")) { close(); return; }
    var item = target.closest("button.ss-legend-item");
    if (item) {
      var id = item.dataset.technique;
      var on = item.getAttribute("aria-pressed") !== "true";
      item.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) delete hidden[id]; else hidden[id] = true;
      runs.forEach(function (r) { if (r.dataset.t) paint(r); });
      root.querySelectorAll(".ss-cards > .ss-card").forEach(function (card) {
        if (card.dataset.technique === id) card.hidden = !on;
      });
    }
  });

  root.addEventListener("keydown", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (event.key === "Escape" && !panel.hidden) { close(); return; }
    if (!target || !target.classList.contains("ss-run")) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      open(target);
    }
  });

  root.addEventListener("change", function (event) {
    var box = event.target;
    if (box && box.dataset && box.dataset.layer) root.classList.toggle("ss-hide-" + box.dataset.layer, !box.checked);
  });
})();
