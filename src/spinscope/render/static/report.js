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
  var panelBody = panel.querySelector(".ss-panel-body");
  var runs = root.querySelectorAll(".ss-run");
  var colours = {};
  var hidden = {};
  var active = null;
  /* Spans the analysis' sensitivity does not show (shown: false; older analyses: calibrated confidence below
     the report's threshold) are "weak": hidden until the reader ticks "Show", then drawn faded. */
  var minConfidence = parseFloat(root.dataset.minConfidence);
  var showWeak = root.classList.contains("ss-show-weak");

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

  function isWeak(t) {
    if (typeof t.shown === "boolean") return !t.shown;
    return typeof t.confidence === "number" && isFinite(minConfidence) && t.confidence < minConfidence;
  }

  function pct(x) { return Math.round(100 * x) + "%"; }

  /* The same words as render/figures.py span_wording: how likely persuasive, the technique if so, the runner-up. */
  function wording(t) {
    var parts = [];
    if (typeof t.persuasion === "number") {
      parts.push(pct(t.persuasion) + " likely persuasive");
      if (typeof t.label_confidence === "number") parts.push("if so, this technique " + pct(t.label_confidence));
    } else {
      parts.push("score " + (typeof t.score === "number" ? t.score.toFixed(2) : "—"));
    }
    if (typeof t.alternative === "string" && t.alternative) {
      var def = definitionOf(t.alternative);
      parts.push("or " + (def ? def.querySelector("dt").textContent.toLowerCase() : t.alternative));
    }
    return parts.join(" · ");
  }

  function shownTechniques(run) {
    return ints(run.dataset.t).filter(function (i) {
      return techniques[i] && !hidden[techniques[i].technique] && (showWeak || !isWeak(techniques[i]));
    });
  }

  function layerOn(name) {
    return !root.classList.contains("ss-hide-" + name);
  }

  /* Whose words: the JSON's voice_of, or (older analyses) whether a direct quote's content holds the span. */
  function voiceOf(t) {
    if (t.voice_of === "writer" || t.voice_of === "quoted") return t.voice_of;
    var inside = quotes.some(function (q) {
      var c = q.content || {};
      return (q.kind || "direct") === "direct" && c.start <= t.start && t.end <= c.end;
    });
    return inside ? "quoted" : "writer";
  }

  function spanText(t) {
    if (typeof t.text === "string") return t.text;
    return typeof data.text === "string" ? data.text.slice(t.start, t.end) : "";
  }

  function explain(i) {
    var t = techniques[i];
    var item = el("li", "ss-panel-span");
    var head = el("p", "ss-span-head");
    var swatch = el("span", "ss-swatch");
    swatch.style.background = colours[t.technique] || "#d9d9d9";
    head.appendChild(swatch);
    var def = definitionOf(t.technique);
    head.appendChild(el("strong", "", def ? def.querySelector("dt").textContent : t.technique));
    var who = voiceOf(t) === "quoted" ? "a quoted speaker's words" : "the writer's words";
    head.appendChild(el("span", "ss-score", " " + wording(t) + (isWeak(t) ? " (not shown by default)" : "") + " · " + who));
    item.appendChild(head);
    item.appendChild(el("blockquote", "ss-span-text", "\u201c" + spanText(t) + "\u201d"));
    return item;
  }

  function definitionOf(id) {
    var found = null;
    root.querySelectorAll(".ss-def").forEach(function (d) { if (d.dataset.technique === id) found = d; });
    return found;
  }

  function notes(run) {
    var list = [];
    if (run.dataset.o && layerOn("op")) list.push("Part of an opinion sentence: the writer's own view, not reporting.");
    if (layerOn("q")) ints(run.dataset.q).forEach(function (i) {
      var q = quotes[i] || {};
      var line = (q.kind || "direct") + " quote";
      if (q.speaker_name) line += " by " + q.speaker_name + (q.role ? ", " + q.role : "") + (q.speaker_type ? " (" + q.speaker_type + ")" : "");
      list.push(line.charAt(0).toUpperCase() + line.slice(1) + ".");
    });
    if (layerOn("cl")) ints(run.dataset.c).forEach(function (i) {
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
    var parts = [];
    var shown = shownTechniques(run);
    if (shown.length) {
      /* every span covering the clicked place, whole, with its technique, score and whose words */
      var spans = el("ul", "ss-panel-spans");
      shown.forEach(function (i) { spans.appendChild(explain(i)); });
      parts.push(spans);
      /* each technique's definition once */
      var defs = el("dl", "ss-panel-defs");
      var seenIds = {};
      shown.forEach(function (i) {
        var id = techniques[i].technique;
        var def = definitionOf(id);
        if (seenIds[id] || !def) return;
        seenIds[id] = true;
        var copy = def.cloneNode(true);
        copy.removeAttribute("id");
        defs.appendChild(copy);
      });
      if (defs.childNodes.length) parts.push(defs);
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
    var strongIds = {};
    var shown = shownTechniques(run);
    shown.forEach(function (i) { if (!isWeak(techniques[i])) strongIds[techniques[i].technique] = true; });
    shown
      .sort(function (a, b) {
        return isWeak(techniques[a]) - isWeak(techniques[b]) ||
          (techniques[b].score || 0) - (techniques[a].score || 0) || a - b;
      })
      .forEach(function (i) {
        var id = techniques[i].technique;
        if (ids.indexOf(id) < 0) ids.push(id);
      });
    run.classList.toggle("ss-weak", ids.length > 0 && !Object.keys(strongIds).length);
    var n = ids.length;
    if (!n) {
      run.style.backgroundImage = "";
      run.classList.add("ss-off");
      run.tabIndex = -1;
      return;
    }
    var bands = ids.map(function (id, k) {
      var c = colours[id] || "#d9d9d9";
      if (!strongIds[id] && /^#[0-9a-f]{6}$/i.test(c)) c += "59"; /* a weak span's colour, faded */
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
    if (run && (shownTechniques(run).length || notes(run).length)) { open(run); return; }
    if (target.closest(".ss-close")) { close(); return; }
    var item = target.closest("button.ss-legend-item");
    if (item) {
      var id = item.dataset.technique;
      var on = item.getAttribute("aria-pressed") !== "true";
      item.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) delete hidden[id]; else hidden[id] = true;
      repaint();
    }
  });

  /* every highlight, card and legend count again, after a technique or the weaker spans were switched */
  function repaint() {
    runs.forEach(function (r) { if (r.dataset.t) paint(r); });
    root.querySelectorAll(".ss-spans > .ss-span").forEach(function (card) {
      card.hidden = Boolean(hidden[card.dataset.technique]) || (!showWeak && card.classList.contains("ss-weak"));
    });
    root.querySelectorAll("button.ss-legend-item").forEach(function (b) {
      var count = b.querySelector(".ss-count");
      if (count && b.dataset.count) count.textContent = showWeak ? b.dataset.count : b.dataset.strong;
    });
    root.querySelectorAll(".ss-weak-only").forEach(function (li) { li.hidden = !showWeak; });
  }

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
    if (box && box.hasAttribute && box.hasAttribute("data-weak")) {
      showWeak = box.checked;
      root.classList.toggle("ss-show-weak", showWeak);
      if (active && !shownTechniques(active).length && !notes(active).length) close();
      repaint();
    }
  });
})();
