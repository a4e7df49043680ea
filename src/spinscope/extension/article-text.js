// Finding the article and its text, loaded before content.js. Readability finds the article on a copy of the
// page; the text is built from the live page's text nodes with a map from every character back to (text node,
// offset), so that the server's offsets turn straight into DOM Ranges: nothing is re-extracted or guessed.
(() => {
  if (globalThis.__spinscopeText) return;

  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA", "SELECT", "OPTION", "BUTTON",
    "INPUT", "SVG", "CANVAS", "IFRAME", "OBJECT", "VIDEO", "AUDIO", "MATH"]);
  const BLOCK = new Set(["ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "DD", "DETAILS", "DIV", "DL", "DT",
    "FIELDSET", "FIGCAPTION", "FIGURE", "FOOTER", "FORM", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "HR",
    "LI", "MAIN", "NAV", "OL", "P", "PRE", "SECTION", "SUMMARY", "TABLE", "TD", "TH", "TR", "UL"]);
  const HTML_SPACE = /[ \t\n\r\f]/;
  const INDEX = "data-spinscope-index";

  // ---- finding the article ------------------------------------------------------------------------------
  // Readability works on (and changes) a copy of the document; every element of the copy is tagged with its
  // index so that the elements it keeps name the live page's elements.
  function findArticle() {
    const live = Array.from(document.getElementsByTagName("*"));
    const copy = document.cloneNode(true);
    const copies = copy.getElementsByTagName("*");
    let parsed = null;
    if (copies.length === live.length && typeof Readability === "function") {
      for (let i = 0; i < copies.length; i++) copies[i].setAttribute(INDEX, String(i));
      try {
        parsed = new Readability(copy, { serializer: (element) => element }).parse();
      } catch (error) {
        console.warn("spinscope: Readability failed; using the whole page", error);
      }
    }
    const kept = new Set();
    if (parsed && parsed.content) {
      for (const element of parsed.content.querySelectorAll(`[${INDEX}]`)) {
        const original = live[Number(element.getAttribute(INDEX))];
        if (original) kept.add(original);
      }
    }
    if (kept.size === 0) return { roots: [document.body], kept: null, title: document.title };
    const root = commonAncestor(kept);
    const roots = [root];
    // Readability gives the headline as the title and drops it from the content; headlines carry much of the
    // spin, so the page's headline element goes back in, first (as "Title\n\nText", spinscope's own layout).
    const headline = findHeadline(parsed.title);
    if (headline) {
      for (const element of [headline, ...headline.querySelectorAll("*")]) kept.add(element);
      const before = headline.compareDocumentPosition(root) & Node.DOCUMENT_POSITION_FOLLOWING;
      if (!root.contains(headline) && before) roots.unshift(headline);
    }
    return { roots, kept, title: parsed.title || document.title };
  }

  // The h1/h2 whose letters and digits are the title's (quotes and dashes differ between <title> and page).
  function findHeadline(title) {
    const key = (text) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
    const wanted = key(title || "");
    const visible = (element) => !element.checkVisibility || element.checkVisibility();
    const headings = Array.from(document.querySelectorAll("h1, h2")).filter(visible);
    const match = wanted ? headings.find((element) => key(element.textContent) === wanted) : null;
    const h1s = headings.filter((element) => element.tagName === "H1");
    return match || (h1s.length === 1 ? h1s[0] : null);
  }


  function commonAncestor(elements) {
    const list = Array.from(elements);
    let candidate = list[0];
    while (candidate && !list.every((element) => candidate.contains(element))) candidate = candidate.parentElement;
    return candidate || document.body;
  }

  // ---- the text and its map ----------------------------------------------------------------------------
  // Whitespace runs collapse to one space (as the browser shows them); blocks are separated by a blank line.
  // units[i] is the text node of character i (-1: a separator this script added), offsets[i] its offset there.
  function buildText(roots, kept) {
    const nodes = [];
    const units = [];
    const offsets = [];
    let parts = [];
    let pendingBreak = "";
    let pendingSpace = null;
    const visible = new Map();

    const isVisible = (element) => {
      if (!visible.has(element)) {
        visible.set(element, element.checkVisibility ? element.checkVisibility({ visibilityProperty: true }) : true);
      }
      return visible.get(element);
    };
    const emit = (character, node, offset) => {
      parts.push(character);
      units.push(node);
      offsets.push(offset);
    };
    const breakLine = (separator) => {
      pendingSpace = null;
      if (units.length > 0 && separator.length > pendingBreak.length) pendingBreak = separator;
    };
    const addText = (textNode) => {
      const value = textNode.data;
      let nodeIndex = -1;
      for (let i = 0; i < value.length; i++) {
        const character = value[i];
        if (HTML_SPACE.test(character)) {
          if (units.length > 0 && !pendingBreak && !pendingSpace && parts[parts.length - 1] !== " ") {
            pendingSpace = [textNode, i];
          }
          continue;
        }
        if (nodeIndex < 0) nodeIndex = nodes.push(textNode) - 1;
        if (pendingBreak) {
          for (const separator of pendingBreak) emit(separator, -1, 0);
        } else if (pendingSpace) {
          const spaceIndex = pendingSpace[0] === textNode ? nodeIndex : nodes.push(pendingSpace[0]) - 1;
          emit(" ", spaceIndex, pendingSpace[1]);
        }
        pendingBreak = "";
        pendingSpace = null;
        emit(character, nodeIndex, i);
      }
    };
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        if (!kept || kept.has(node.parentElement)) addText(node);
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || SKIP.has(node.tagName.toUpperCase()) || !isVisible(node)) return;
      if (node.tagName === "BR") return breakLine("\n");
      const block = BLOCK.has(node.tagName);
      if (block) breakLine("\n\n");
      for (let child = node.firstChild; child; child = child.nextSibling) walk(child);
      if (block) breakLine("\n\n");
    };
    for (const root of roots) {
      walk(root);
      breakLine("\n\n");
    }
    const text = parts.join("");
    parts = null;
    return { text, nodes, units, offsets };
  }

  // Python counts code points, JavaScript UTF-16 units: the map between them (null when they agree).
  function codePointUnits(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) return null;
    const units = [];
    let unit = 0;
    for (const character of text) {
      units.push(unit);
      unit += character.length;
    }
    units.push(unit);
    return units;
  }

  // A DOM Range for the text's code points [start, end), or null when it covers only added separators.
  function toRange(map, start, end) {
    const unit = (point) => (map.pointUnits ? map.pointUnits[point] : point);
    let first = unit(start);
    let last = unit(end) - 1;
    if (!Number.isInteger(first) || !Number.isInteger(last)) return null; // offsets past the text
    while (first <= last && map.units[first] === -1) first++;
    while (last >= first && map.units[last] === -1) last--;
    if (first > last || last >= map.units.length) return null;
    const range = new Range();
    range.setStart(map.nodes[map.units[first]], map.offsets[first]);
    range.setEnd(map.nodes[map.units[last]], map.offsets[last] + 1);
    return range;
  }

  globalThis.__spinscopeText = { findArticle, buildText, codePointUnits, toRange };
})();
