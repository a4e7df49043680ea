// The extension's settings, kept in chrome.storage.local (this browser profile only).
export const DEFAULTS = Object.freeze({
  server: "http://127.0.0.1:8000",
  minScore: 0,
  // Which persuasive passages the server marks shown (precise, balanced, everything); the others are
  // hidden unless showWeak is on, then faded.
  sensitivity: "balanced",
  showWeak: false,
  layers: { techniques: true, quotes: true, opinion: false },
});

export const START_COMMAND = "spinscope serve";
export const DEFAULT_PORT = 8000;

// The command that starts a server at this address: `spinscope serve` listens on 127.0.0.1:8000 unless told
// another port, so the port is named when the settings' address uses another one.
export function startCommand(server) {
  const url = new URL(server);
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return port === DEFAULT_PORT ? START_COMMAND : `${START_COMMAND} --port ${port}`;
}
export const SENSITIVITIES = Object.freeze(["precise", "balanced", "everything"]);

// An http(s) origin with no path, e.g. "http://127.0.0.1:8000"; throws on anything else.
export function normaliseServer(value) {
  const url = new URL(String(value).trim());
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("the server address must start with http:// or https://");
  if (url.username || url.password || url.search || url.hash) throw new Error("the server address takes no user, query or fragment");
  return url.origin + url.pathname.replace(/\/+$/, "");
}

export async function loadSettings() {
  const stored = await chrome.storage.local.get(["server", "minScore", "sensitivity", "showWeak", "layers"]);
  return {
    server: typeof stored.server === "string" ? stored.server : DEFAULTS.server,
    minScore: Number.isFinite(stored.minScore) ? stored.minScore : DEFAULTS.minScore,
    sensitivity: SENSITIVITIES.includes(stored.sensitivity) ? stored.sensitivity : DEFAULTS.sensitivity,
    showWeak: typeof stored.showWeak === "boolean" ? stored.showWeak : DEFAULTS.showWeak,
    layers: { ...DEFAULTS.layers, ...(stored.layers || {}) },
  };
}

export async function saveSettings(settings) {
  await chrome.storage.local.set({
    server: normaliseServer(settings.server),
    minScore: Math.min(1, Math.max(0, Number(settings.minScore) || 0)),
    sensitivity: SENSITIVITIES.includes(settings.sensitivity) ? settings.sensitivity : DEFAULTS.sensitivity,
    showWeak: Boolean(settings.showWeak),
    layers: { ...DEFAULTS.layers, ...settings.layers },
  });
}
