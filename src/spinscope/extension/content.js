// The content script: takes the article's text (article-text.js), asks the service worker for the analysis and
// paints the answer's spans with the CSS Custom Highlight API. The page's DOM is never changed: the highlights
// are ranges, the styles an adopted style sheet, and the panel lives in a shadow root on a host outside <body>.
(() => {
  if (globalThis.__spinscope) return;

  const { findArticle, buildText, codePointUnits, toRange } = globalThis.__spinscopeText;
  const LAYER_PRIORITY = { opinion: 1, quotes: 2, techniques: 3, current: 4 };

  let state = null; // the last analysis in this page: text map, spans with ranges, settings
  let ui = null; // the shadow-root UI

  // ---- the analysis ------------------------------------------------------------------------------------
  function whoseWords(analysis, start, end) {
    const quote = (analysis.quotes || []).find((q) => q.content && q.content.start <= start && end <= q.content.end);
    if (quote && quote.kind === "scare") return "The writer's, in scare quotes";
    if (quote) return quote.speaker_name ? `${quote.speaker_name} (quoted)` : "A quoted speaker (unnamed)";
    const sentence = (analysis.sentences || []).find((s) => s.start <= start && start < s.end);
    return sentence && sentence.speaker === "quoted" ? "A quoted speaker" : "The writer's own words";
  }

  // Older servers: the default shown set's threshold, as the analysis names it (spinscope.calibration).
  function weakThreshold(analysis) {
    const calibration = ((analysis.models || {}).techniques || {}).calibration || {};
    return typeof calibration.shown_min_confidence === "number" ? calibration.shown_min_confidence : null;
  }

  const percent = (x) => `${Math.round(100 * x)}%`;

  // The report's words for a span's numbers (render/figures.py span_wording): how likely it is persuasive,
  // how likely its technique is if so, and the runner-up technique when close.
  function spanWording(span) {
    const parts = [];
    if (typeof span.persuasion === "number") {
      parts.push(`${percent(span.persuasion)} likely persuasive`);
      if (typeof span.label_confidence === "number") parts.push(`if so, this technique ${percent(span.label_confidence)}`);
    } else {
      parts.push(`score ${span.score.toFixed(2)} (${span.engine})`);
    }
    if (span.alternative) parts.push(`or ${span.alternativeName || span.alternative}`);
    return parts.join(" · ");
  }

  function spansOf(analysis, techniques, map) {
    const byId = new Map(techniques.map((t, i) => [t.id, { ...t, index: i }]));
    const threshold = weakThreshold(analysis);
    const spans = [];
    for (const span of analysis.techniques || []) {
      const technique = byId.get(span.technique) || { id: span.technique, name: span.technique, definition: "",
        colour: "#dddddd", index: techniques.length };
      // weak: not shown at the analysis' sensitivity (older servers: below the calibrated threshold)
      const weak = typeof span.shown === "boolean" ? !span.shown
        : threshold !== null && typeof span.confidence === "number" && span.confidence < threshold;
      const alternativeName = span.alternative && byId.has(span.alternative)
        ? byId.get(span.alternative).name.toLowerCase() : null;
      spans.push({ layer: "techniques", ...span, weak, alternativeName, info: technique,
        range: toRange(map, span.start, span.end),
        whose: whoseWords(analysis, span.start, span.end) });
    }
    for (const quote of analysis.quotes || []) {
      if (quote.kind === "scare" || !quote.content) continue;
      spans.push({ layer: "quotes", ...quote.content, range: toRange(map, quote.content.start, quote.content.end) });
    }
    for (const sentence of analysis.sentences || []) {
      if (sentence.voice !== "opinion") continue;
      spans.push({ layer: "opinion", ...sentence, range: toRange(map, sentence.start, sentence.end) });
    }
    return spans;
  }

  async function analyse(settings) {
    const shown = showStatus("spinscope: analysing this page…", "busy");
    const article = findArticle();
    const map = buildText(article.roots, article.kept);
    if (!map.text.trim()) return fail({ error: "empty_input", message: "spinscope found no article text on this page" });
    const answer = await chrome.runtime.sendMessage({
      type: "spinscope:analyse-text", text: map.text, title: article.title, url: location.href,
    });
    if (!answer || answer.error) return fail(answer || { error: "no_answer", message: "no answer from the extension" });
    const { analysis, techniques, server } = answer;
    if (analysis.text !== map.text) {
      return fail({ error: "text_changed", message: "the server changed the text, so its offsets would not fit the page" });
    }
    map.pointUnits = codePointUnits(map.text);
    clear();
    state = { analysis, techniques, server, map, settings, hidden: new Set(), current: -1,
      spans: spansOf(analysis, techniques, map) };
    paint();
    shown.remove();
    return summary();
  }

  function fail(error) {
    showStatus(error.message, "error", error.command);
    return error;
  }

  // ---- painting -------------------------------------------------------------------------------------------
  const highlightName = (span) => (span.layer !== "techniques" ? `spinscope-${span.layer}`
    : span.weak ? `spinscope-w${span.info.index}` : `spinscope-t${span.info.index}`);

  // a technique span the settings let through: score, weak spans, the popup's switches
  const techniqueShown = (span, settings) =>
    span.score >= settings.minScore && (settings.showWeak || !span.weak) && !state.hidden.has(span.technique);

  function visibleSpans() {
    if (!state) return [];
    const { layers } = state.settings;
    return state.spans.filter((span) => span.range && layers[span.layer] &&
      (span.layer !== "techniques" || techniqueShown(span, state.settings)));
  }

  function paint() {
    for (const name of [...CSS.highlights.keys()]) if (name.startsWith("spinscope-")) CSS.highlights.delete(name);
    const groups = new Map();
    for (const span of visibleSpans()) {
      const name = highlightName(span);
      if (!groups.has(name)) groups.set(name, { layer: span.layer, ranges: [] });
      groups.get(name).ranges.push(span.range);
    }
    for (const [name, group] of groups) {
      const highlight = new Highlight(...group.ranges);
      highlight.priority = LAYER_PRIORITY[group.layer];
      CSS.highlights.set(name, highlight);
    }
    adoptSheet();
    markCurrent();
    if (ui) ui.count.textContent = countLabel();
  }

  function adoptSheet() {
    const rules = state.techniques.map((t, i) =>
      `::highlight(spinscope-t${i}) { background-color: ${safeColour(t.colour)}; color: #111; }`);
    // weak spans (shown on request): the technique's colour, faded
    rules.push(...state.techniques.map((t, i) => {
      const colour = safeColour(t.colour);
      return `::highlight(spinscope-w${i}) { background-color: ${colour.length === 7 ? colour + "59" : colour}; }`;
    }));
    rules.push("::highlight(spinscope-quotes) { text-decoration: underline dotted 2px #1d4e89; }");
    rules.push("::highlight(spinscope-opinion) { background-color: rgba(150, 110, 190, 0.16); }");
    rules.push("::highlight(spinscope-current) { text-decoration: underline solid 3px #c1121f; }");
    if (!globalThis.__spinscopeSheet) {
      globalThis.__spinscopeSheet = new CSSStyleSheet();
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, globalThis.__spinscopeSheet];
    }
    globalThis.__spinscopeSheet.replaceSync(rules.join("\n"));
  }

  const safeColour = (value) => (/^#[0-9a-f]{3,8}$/i.test(value || "") ? value : "#dddddd");

  function clear() {
    for (const name of [...CSS.highlights.keys()]) if (name.startsWith("spinscope-")) CSS.highlights.delete(name);
    state = null;
    if (ui) {
      ui.panel.hidden = true;
      ui.bar.hidden = true;
    }
  }

  // ---- the popup's view of the result -----------------------------------------------------------------------
  function summary() {
    const { analysis, techniques, server, settings } = state;
    const counts = techniques.map((t) => ({ id: t.id, name: t.name, colour: t.colour, count: 0,
      shown: !state.hidden.has(t.id) }));
    const index = new Map(counts.map((c) => [c.id, c]));
    for (const span of state.spans) {
      if (span.layer === "techniques" && span.range && span.score >= settings.minScore &&
          (settings.showWeak || !span.weak) && index.has(span.technique)) {
        index.get(span.technique).count += 1;
      }
    }
    // what the view leaves out: the summary's count, the same as the report's and the terminal's "+N more"
    const given = analysis.summary && analysis.summary.hidden_technique_spans;
    const weakHidden = settings.showWeak ? 0 : typeof given === "number" ? given
      : state.spans.filter((s) => s.layer === "techniques" && s.weak).length;
    const quotes = (analysis.quotes || []).filter((q) => q.kind !== "scare").map((q) => ({
      kind: q.kind, speaker: q.speaker_name || (q.speaker ? q.speaker.text : null), text: q.content.text }));
    return {
      ok: true, server, title: analysis.title, permalink: server + analysis.permalink,
      counts: counts.filter((c) => c.count > 0), quotes,
      opinionShare: analysis.summary ? analysis.summary.opinion_share : null,
      words: analysis.summary ? analysis.summary.word_count : null,
      unplaced: state.spans.filter((s) => !s.range).length,
      weakHidden,
    };
  }

  function apply(settings, hidden) {
    if (!state) return null;
    state.settings = settings;
    state.hidden = new Set(hidden || []);
    paint();
    return summary();
  }

  // ---- the UI in a shadow root ------------------------------------------------------------------------------
  const UI_CSS = `
    :host { all: initial; }
    .bar, .panel { position: fixed; z-index: 2147483647; font: 14px/1.4 system-ui, sans-serif; color: #14213d;
      background: #fff; border: 1px solid #8d99ae; border-radius: 8px; box-shadow: 0 4px 18px rgba(0,0,0,.18); }
    .bar { right: 16px; bottom: 16px; display: flex; gap: 6px; align-items: center; padding: 6px 8px; max-width: 420px; }
    .bar[data-kind="error"] { border-color: #c1121f; background: #fff5f5; }
    .panel { width: 320px; padding: 10px 12px; }
    [hidden] { display: none !important; }
    button { font: inherit; border: 1px solid #8d99ae; background: #edf2f4; border-radius: 6px; padding: 2px 8px; cursor: pointer; }
    button:focus-visible { outline: 3px solid #1d4e89; outline-offset: 1px; }
    .swatch { display: inline-block; width: .9em; height: .9em; border-radius: 3px; vertical-align: -1px; margin-right: 6px; }
    .name { font-weight: 600; }
    .meta { color: #4a5568; font-size: 13px; margin-top: 6px; }
    code { background: #edf2f4; padding: 0 4px; border-radius: 4px; }
    .head { display: flex; justify-content: space-between; align-items: start; gap: 8px; }
    p { margin: 6px 0 0; }`;

  function buildUi() {
    const host = document.createElement("spinscope-ui");
    const root = host.attachShadow({ mode: "open" });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(UI_CSS);
    root.adoptedStyleSheets = [sheet];
    root.innerHTML = `
      <div class="bar" role="region" aria-label="spinscope" hidden>
        <span class="count" role="status" aria-live="polite"></span>
        <button class="prev" type="button" aria-label="Previous technique">◀</button>
        <button class="next" type="button" aria-label="Next technique">▶</button>
        <button class="close-all" type="button" aria-label="Remove the highlights">✕</button>
      </div>
      <div class="panel" role="dialog" aria-label="Persuasion technique" aria-live="polite" hidden>
        <div class="head"><div><span class="swatch"></span><span class="name"></span></div>
          <button class="close" type="button" aria-label="Close">✕</button></div>
        <p class="definition"></p>
        <p class="meta"><span class="score"></span> · <span class="whose"></span></p>
        <p class="marking"><button class="wrong" type="button">Wrong</button> <span class="marked" role="status"></span></p>
      </div>`;
    // outside <body>: the page's own content (and its text) stays as it was
    document.documentElement.append(host);
    const $ = (selector) => root.querySelector(selector);
    const parts = { host, root, bar: $(".bar"), count: $(".count"), panel: $(".panel"), swatch: $(".swatch"),
      name: $(".name"), definition: $(".definition"), score: $(".score"), whose: $(".whose"),
      next: $(".next"), prev: $(".prev") };
    $(".next").addEventListener("click", () => step(1));
    $(".prev").addEventListener("click", () => step(-1));
    $(".close").addEventListener("click", () => closePanel(true));
    $(".close-all").addEventListener("click", () => clear());
    // the reader's "wrong" mark on this passage (marks.js keeps it)
    $(".wrong").addEventListener("click", async () => {
      const answer = globalThis.__spinscopeMarks ? await globalThis.__spinscopeMarks.wrong() : null;
      $(".marked").textContent = answer && answer.ok ? "Marked wrong: export it from the popup" : (answer ? answer.message : "");
    });
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape") closePanel(true);
    });
    return parts;
  }

  function ensureUi() {
    if (!ui || !ui.host.isConnected) ui = buildUi();
    return ui;
  }

  function showStatus(message, kind, command) {
    const parts = ensureUi();
    parts.bar.hidden = false;
    parts.bar.dataset.kind = kind;
    parts.count.textContent = message;
    for (const button of parts.bar.querySelectorAll("button.prev, button.next")) button.hidden = kind !== "done";
    if (command) {
      parts.count.textContent = message.replace(command, "").trimEnd() + " ";
      const code = document.createElement("code");
      code.textContent = command;
      parts.count.append(code);
    }
    return { remove: () => showStatus(countLabel(), "done") };
  }

  function countLabel() {
    const shown = visibleSpans().filter((span) => span.layer === "techniques").length;
    return `spinscope: ${shown} technique passage${shown === 1 ? "" : "s"}`;
  }

  function techniqueSpans() {
    return visibleSpans().filter((span) => span.layer === "techniques")
      .sort((a, b) => a.range.compareBoundaryPoints(Range.START_TO_START, b.range) || a.start - b.start);
  }

  function step(direction) {
    const spans = techniqueSpans();
    if (!spans.length) return;
    const position = spans.indexOf(state.spans[state.current]);
    const next = position < 0 ? (direction > 0 ? 0 : spans.length - 1) : (position + direction + spans.length) % spans.length;
    state.current = state.spans.indexOf(spans[next]);
    markCurrent();
    const element = spans[next].range.startContainer.parentElement;
    if (element) element.scrollIntoView({ block: "center", behavior: "instant" });
    openPanel(spans[next]);
  }

  function markCurrent() {
    CSS.highlights.delete("spinscope-current");
    const span = state && state.spans[state.current];
    if (span && span.range) {
      const highlight = new Highlight(span.range);
      highlight.priority = LAYER_PRIORITY.current;
      CSS.highlights.set("spinscope-current", highlight);
    }
  }

  function openPanel(span) {
    const parts = ensureUi();
    parts.swatch.style.background = safeColour(span.info.colour);
    parts.name.textContent = span.info.name;
    parts.definition.textContent = span.info.definition;
    parts.score.textContent = `${spanWording(span)}${span.weak ? " (not shown by default)" : ""}`;
    parts.whose.textContent = span.whose;
    parts.panel.dataset.technique = span.technique;
    parts.root.querySelector(".marked").textContent = "";
    if (state) state.panelSpan = span; // what the panel's "Wrong" marks (marks.js)
    parts.panel.hidden = false;
    const rect = span.range.getBoundingClientRect();
    const width = 320;
    parts.panel.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - width - 24))}px`;
    const below = rect.bottom + 8;
    parts.panel.style.top = below + 170 < window.innerHeight ? `${below}px` : `${Math.max(8, rect.top - 178)}px`;
  }

  function closePanel(returnFocus) {
    if (!ui || ui.panel.hidden) return;
    ui.panel.hidden = true;
    if (returnFocus && state) ui.next.focus();
  }

  // A click on a highlighted passage opens its panel; anywhere else (outside the UI) closes it.
  function spanAt(x, y) {
    return techniqueSpans().find((span) => Array.from(span.range.getClientRects()).some((r) =>
      x >= r.left && x <= r.right && y >= r.top && y <= r.bottom));
  }

  document.addEventListener("click", (event) => {
    if (!state || (ui && event.composedPath().includes(ui.host))) return;
    const span = spanAt(event.clientX, event.clientY);
    if (span) {
      state.current = state.spans.indexOf(span);
      markCurrent();
      openPanel(span);
    } else {
      closePanel(false);
    }
  }, true);

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closePanel(false);
  });

  // Caret browsing (F7) or a selection made with the keyboard: the caret inside a passage opens its panel.
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!state || !selection || selection.rangeCount === 0 || !selection.isCollapsed) return;
    const { startContainer, startOffset } = selection.getRangeAt(0);
    const span = techniqueSpans().find((s) => s.range.isPointInRange(startContainer, startOffset));
    if (span) openPanel(span);
  });

  globalThis.__spinscope = { analyse, apply, clear, summary: () => (state ? summary() : null), state: () => state };
})();
