// The popup: analyse the tab, list what was found (techniques with toggles, quotes, opinion share), settings.
import { DEFAULTS, loadSettings, saveSettings } from "./settings.js";

const $ = (selector) => document.querySelector(selector);
let tabId = null;
let last = null;

async function targetTab() {
  // ?tab=ID: the popup opened as a page for a given tab (tests, or a pinned window)
  const asked = Number(new URLSearchParams(location.search).get("tab"));
  if (Number.isInteger(asked) && asked > 0) return asked;
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab ? tab.id : null;
}

function element(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

function showError(result) {
  const box = $("#error");
  box.replaceChildren();
  const message = result.command ? result.message.replace(result.command, "").trimEnd() : result.message;
  box.append(message);
  if (result.command) box.append(" ", element("code", { textContent: result.command }));
  box.hidden = false;
  $("#result").hidden = true;
}

function percent(share) {
  return share === null || share === undefined ? "n/a" : `${Math.round(share * 100)}%`;
}

function render(result) {
  last = result;
  $("#status").textContent = "";
  if (!result) return;
  if (!result.ok) return showError(result);
  $("#error").hidden = true;
  const total = result.counts.reduce((sum, c) => sum + (c.shown ? c.count : 0), 0);
  $("#overview").textContent =
    `${total} technique passage${total === 1 ? "" : "s"} highlighted · opinion: ${percent(result.opinionShare)} of sentences` +
    (result.words ? ` · ${result.words} words` : "") +
    (result.weakHidden ? ` · +${result.weakHidden} more at 'everything' (Settings)` : "");
  $("#techniques").replaceChildren(...result.counts.map((c) => {
    const box = element("input", { type: "checkbox", checked: c.shown, value: c.id });
    box.addEventListener("change", toggled);
    const swatch = element("span", { className: "swatch" });
    swatch.style.background = c.colour;
    return element("li", {}, element("label", {}, box, swatch, c.name, element("span", { className: "count", textContent: String(c.count) })));
  }));
  if (!result.counts.length) $("#techniques").append(element("li", { textContent: "none found" }));
  $("#quotes").replaceChildren(...result.quotes.map((q) => element("li", {},
    element("span", { className: "speaker", textContent: q.speaker || "unnamed" }), `: ${q.text}`)));
  if (!result.quotes.length) $("#quotes").append(element("li", { textContent: "none found" }));
  $("#permalink").href = result.permalink;
  $("#result").hidden = false;
  showMarks();
}

// ---- the reader's corrections (marks.js in the page keeps them) ----------------------------------------------
async function showMarks(message) {
  const listed = await inTab(() => globalThis.__spinscopeMarks && globalThis.__spinscopeMarks.list());
  if (!listed) return null;
  const select = $("#mark-technique");
  if (!select.options.length) {
    select.append(...listed.techniques.map((t) => element("option", { value: t.id, textContent: t.name })));
  }
  const { wrong, missed } = listed.marks;
  $("#marks-count").textContent = (message ? `${message} ` : "") + `${wrong.length} wrong, ${missed.length} missed`;
  for (const button of document.querySelectorAll("[data-export]")) button.disabled = wrong.length + missed.length === 0;
  return listed;
}

async function markMissed() {
  const technique = $("#mark-own").value.trim() || $("#mark-technique").value;
  const answer = await inTab((t) => globalThis.__spinscopeMarks.missed(t), technique);
  await showMarks(answer && answer.ok ? `Marked missed: “${answer.text}”.` : answer ? answer.message : "");
}

async function exportMarks(event) {
  const format = event.currentTarget.dataset.export; // read before any await: currentTarget is then null
  const listed = await showMarks();
  if (!listed) return;
  const answer = await chrome.runtime.sendMessage({ type: "spinscope:export-marks", resultId: listed.resultId, format,
    marks: listed.marks });
  if (!answer || answer.error) {
    $("#marks-count").textContent = answer ? answer.message : "no answer from the extension";
    return;
  }
  const type = format === "doccano" ? "application/x-ndjson" : "application/json";
  // the file stays linked under the buttons (saved again with a click), and is saved at once
  const link = $("#marks-file");
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([answer.content], { type }));
  link.download = answer.name;
  link.dataset.format = format;
  link.textContent = `Save ${answer.name}`;
  link.hidden = false;
  link.click();
}

async function inTab(func, ...args) {
  const [{ result }] = await chrome.scripting.executeScript({ target: { tabId }, func, args });
  return result;
}

async function toggled() {
  const hidden = [...document.querySelectorAll("#techniques input")].filter((box) => !box.checked).map((b) => b.value);
  const settings = await loadSettings();
  const result = await inTab((s, h) => globalThis.__spinscope && globalThis.__spinscope.apply(s, h), settings, hidden);
  if (result) {
    await chrome.storage.session.set({ [`tab:${tabId}`]: result });
    render(result);
  }
}

async function analyse() {
  $("#analyse").disabled = true;
  $("#status").textContent = "Analysing…";
  try {
    render(await chrome.runtime.sendMessage({ type: "spinscope:analyse-tab", tabId }));
  } finally {
    $("#analyse").disabled = false;
  }
}

async function fillSettings() {
  const settings = await loadSettings();
  $("#server").value = settings.server;
  $("#min-score").value = String(settings.minScore);
  $("#show-weak").checked = settings.showWeak;
  $("#sensitivity").value = settings.sensitivity;
  for (const box of document.querySelectorAll('input[name="layer"]')) box.checked = Boolean(settings.layers[box.value]);
}

async function save(event) {
  event.preventDefault();
  const layers = Object.fromEntries(Object.keys(DEFAULTS.layers).map((k) => [k, false]));
  for (const box of document.querySelectorAll('input[name="layer"]:checked')) layers[box.value] = true;
  try {
    await saveSettings({ server: $("#server").value, minScore: $("#min-score").value, sensitivity: $("#sensitivity").value,
      showWeak: $("#show-weak").checked, layers });
  } catch (error) {
    $("#saved").textContent = error.message;
    return;
  }
  $("#saved").textContent = "Saved.";
  await fillSettings();
  if (last && last.ok) await toggled();
}

document.addEventListener("DOMContentLoaded", async () => {
  tabId = await targetTab();
  $("#analyse").addEventListener("click", analyse);
  $("#settings-form").addEventListener("submit", save);
  $("#mark-missed").addEventListener("click", markMissed);
  for (const button of document.querySelectorAll("[data-export]")) button.addEventListener("click", exportMarks);
  await fillSettings();
  if (tabId !== null) {
    const stored = await chrome.storage.session.get(`tab:${tabId}`);
    render(stored[`tab:${tabId}`] || null);
  }
});
