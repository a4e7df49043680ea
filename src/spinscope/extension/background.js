// The service worker: the only part that talks to the spinscope server (the content
// script cannot: a page's own origin rules would apply to it). Page text goes to the
// configured server address and nowhere else.
import { loadSettings, startCommand } from "./settings.js";

const ANALYSIS_TIMEOUT_MS = 180_000; // the model engine on a long feature, on a slow laptop
const techniquesByServer = new Map();

class ServerDown extends Error {}

// No answer: the server is down, or (an address this extension has no host access to) it did not let this
// extension's origin in (CORS), which a browser reports the same way.
async function unreachable(server) {
  const granted = await chrome.permissions.contains({ origins: [`${new URL(server).origin}/*`] });
  if (granted) {
    const command = startCommand(server);
    return {
      error: "server_unreachable",
      message: `spinscope is not running at ${server}. Open a terminal, start it with this command and keep it running: ${command}`,
      command,
      server,
    };
  }
  const command = `${startCommand(server)} --allow-origin ${self.location.origin}`;
  return {
    error: "server_unreachable",
    message: `spinscope at ${server} did not answer or does not let this extension in. Start it there with: ${command}`,
    command,
    server,
  };
}

async function request(server, path, init = {}, timeout = 30_000) {
  let response;
  try {
    response = await fetch(server + path, { ...init, credentials: "omit", signal: AbortSignal.timeout(timeout) });
  } catch (error) {
    if (error && error.name === "TimeoutError") {
      throw Object.assign(new Error(`spinscope at ${server} did not answer in ${timeout / 1000} s`), { code: "timeout" });
    }
    throw new ServerDown(String(error));
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw Object.assign(new Error(`${server}${path} did not answer with JSON: is it a spinscope server?`), {
      code: "not_spinscope",
    });
  }
  if (!response.ok) {
    const message = body && body.message ? body.message : `HTTP ${response.status}`;
    throw Object.assign(new Error(message), { code: (body && body.error) || "http_error" });
  }
  return body;
}

async function techniques(server) {
  if (!techniquesByServer.has(server)) {
    // the colours and explanations come from the server, so they follow its report palette
    techniquesByServer.set(server, await request(server, "/api/techniques"));
  }
  return techniquesByServer.get(server);
}

// Analyse one article's text on the server; never throws: {analysis, techniques, server} or {error, message}.
async function analyseText({ text, title, url }) {
  const { server, sensitivity } = await loadSettings();
  try {
    const known = await techniques(server);
    const pageUrl = /^https?:\/\//i.test(url || "") ? url : null;
    const body = { text, title: title || null, page_url: pageUrl, sensitivity };
    const analysis = await request(
      server,
      "/api/analyze",
      { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
      ANALYSIS_TIMEOUT_MS,
    );
    return { analysis, techniques: known, server };
  } catch (error) {
    if (error instanceof ServerDown) return await unreachable(server);
    return { error: error.code || "error", message: error.message, server };
  }
}

// The reader's marks on one analysis in an annotation tool's format (server/marks.py): {content, name} or
// {error, message}.
async function exportMarks({ resultId, format, marks }) {
  const { server } = await loadSettings();
  const body = { result_id: resultId, format, wrong: marks.wrong, missed: marks.missed };
  let response;
  try {
    response = await fetch(server + "/api/marks/export", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "omit",
    });
  } catch {
    return await unreachable(server);
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch { /* not JSON */ }
    return { error: (problem && problem.error) || "http_error", message: (problem && problem.message) || `HTTP ${response.status}` };
  }
  const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return { content: await response.text(), name: match ? match[1] : "spinscope-marks" };
}

// Inject the content script (Readability first) into a tab and run one analysis there.
async function analyseTab(tabId) {
  const settings = await loadSettings();
  let result;
  try {
    await chrome.scripting.executeScript({ target: { tabId }, files: ["vendor/Readability.js", "article-text.js", "content.js", "marks.js"] });
    [{ result }] = await chrome.scripting.executeScript({
      target: { tabId },
      func: (options) => globalThis.__spinscope.analyse(options),
      args: [settings],
    });
  } catch (error) {
    result = { error: "no_access", message: `spinscope cannot read this page (${error.message})` };
  }
  result = result || { error: "no_result", message: "the page gave no answer" };
  await chrome.storage.session.set({ [`tab:${tabId}`]: result });
  return result;
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  if (message && message.type === "spinscope:analyse-text") {
    analyseText(message).then(sendResponse);
    return true;
  }
  if (message && message.type === "spinscope:export-marks") {
    exportMarks(message).then(sendResponse);
    return true;
  }
  if (message && message.type === "spinscope:analyse-tab") {
    analyseTab(message.tabId).then(sendResponse);
    return true;
  }
  return false;
});

chrome.commands.onCommand.addListener(async (command, tab) => {
  if (command === "analyse-page" && tab && tab.id !== undefined) await analyseTab(tab.id);
});

chrome.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status === "loading") chrome.storage.session.remove(`tab:${tabId}`);
});
chrome.tabs.onRemoved.addListener((tabId) => chrome.storage.session.remove(`tab:${tabId}`));
