// The reader's corrections on the page, loaded after content.js: "wrong" on the highlighted passage whose panel
// is open, "missed" on the words selected in the page (with a technique chosen in the popup). Kept in the
// extension's storage per analysis (chrome.storage.local), exported by the popup through the server's
// POST /api/marks/export (the formats of `spinscope export`).
//
// Offsets are code points of the analysed text, as the server counts (Python str indices); the text map
// counts UTF-16 units (article-text.js), so a selection is turned into units first, then into code points.
(() => {
  if (globalThis.__spinscopeMarks) return;

  const key = (id) => `marks:${id}`;

  function current() {
    const state = globalThis.__spinscope && globalThis.__spinscope.state();
    return state && state.analysis ? state : null;
  }

  const resultId = (state) => String(state.analysis.permalink || "").split("/").pop();

  async function load(id) {
    const stored = (await chrome.storage.local.get(key(id)))[key(id)];
    return stored && Array.isArray(stored.wrong) && Array.isArray(stored.missed) ? stored : { wrong: [], missed: [] };
  }

  // the code point at UTF-16 unit `unit` of the text (pointUnits[p] is code point p's first unit)
  function pointOf(map, unit) {
    if (!map.pointUnits) return unit;
    let low = 0;
    let high = map.pointUnits.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (map.pointUnits[middle] < unit) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  // [start, end) in code points of the words selected in the page, whitespace trimmed; null when none of the
  // selected characters is in the analysed text
  function selectedOffsets(map) {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    let first = -1;
    let last = -1;
    for (let i = 0; i < map.units.length; i++) {
      if (map.units[i] === -1) continue;
      const node = map.nodes[map.units[i]];
      const offset = map.offsets[i];
      if (range.comparePoint(node, offset) === 0 && range.comparePoint(node, offset + 1) === 0) {
        if (first < 0) first = i;
        last = i;
      }
    }
    while (first >= 0 && first <= last && /\s/.test(map.text[first])) first++;
    while (last >= first && first >= 0 && /\s/.test(map.text[last])) last--;
    if (first < 0 || first > last) return null;
    return { start: pointOf(map, first), end: pointOf(map, last + 1) };
  }

  async function add(state, kind, mark) {
    const id = resultId(state);
    const marks = await load(id);
    const same = (m) => m.start === mark.start && m.end === mark.end && m.technique === mark.technique;
    if (!marks[kind].some(same)) marks[kind].push(mark);
    await chrome.storage.local.set({ [key(id)]: marks });
    return { ok: true, kind, mark, text: Array.from(state.analysis.text).slice(mark.start, mark.end).join(""), marks };
  }

  // "wrong": the technique passage whose panel was opened last (by a click, the bar's buttons or the caret)
  async function wrong() {
    const state = current();
    const span = state && (state.panelSpan || state.spans[state.current]);
    if (!span || span.layer !== "techniques") return { error: "no_span", message: "Click a highlighted passage first." };
    return add(state, "wrong", { start: span.start, end: span.end, technique: span.technique });
  }

  async function missed(technique) {
    const state = current();
    if (!state) return { error: "no_analysis", message: "Analyse the page first." };
    if (!technique) return { error: "no_technique", message: "Choose a technique first." };
    const offsets = selectedOffsets(state.map);
    if (!offsets) return { error: "no_selection", message: "Select words of the article in the page first." };
    return add(state, "missed", { ...offsets, technique });
  }

  async function list() {
    const state = current();
    if (!state) return null;
    const id = resultId(state);
    return { resultId: id, server: state.server, marks: await load(id),
      techniques: state.techniques.map((t) => ({ id: t.id, name: t.name })) };
  }

  async function forget() {
    const state = current();
    if (state) await chrome.storage.local.remove(key(resultId(state)));
    return list();
  }

  globalThis.__spinscopeMarks = { wrong, missed, list, forget };
})();
