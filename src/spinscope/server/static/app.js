/* spinscope web page: send the article to the API, show the server-rendered report. No eval, no inline code. */
(function () {
  "use strict";

  var reportScript = document.body.getAttribute("data-report-js") || "/static/report.js";

  /* The page's Content-Security-Policy refuses inline style attributes; the server
     renames the report's to data-ss-style and they are applied here, through the
     CSSOM, which the policy allows. */
  function applyStyles(root) {
    root.querySelectorAll("[data-ss-style]").forEach(function (el) {
      el.style.cssText = el.getAttribute("data-ss-style");
      el.removeAttribute("data-ss-style");
    });
  }

  /* report.js wires up the report it finds when it runs; run it again for a new report. */
  function runReportScript() {
    var old = document.getElementById("sp-report-js");
    if (old) old.remove();
    var script = document.createElement("script");
    script.id = "sp-report-js";
    script.src = reportScript;
    document.body.appendChild(script);
  }

  function absolute(href) {
    return new URL(href, window.location.href).href;
  }

  function wireCopyButtons(root) {
    root.querySelectorAll(".sp-copy").forEach(function (button) {
      button.addEventListener("click", function () {
        var link = absolute(button.getAttribute("data-href"));
        var done = function () { button.textContent = "Copied"; };
        var fail = function () { window.prompt("Copy this link:", link); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(link).then(done, fail);
        } else {
          fail();
        }
      });
    });
  }

  applyStyles(document);
  wireCopyButtons(document);

  var form = document.getElementById("sp-form");
  var loadedPath = window.location.pathname;
  if (!form) {
    /* A result page reached by reloading a pushed permalink keeps the front page's history entry: going
       back there changes only the address, so load what the address names. */
    window.addEventListener("popstate", function () {
      if (window.location.pathname !== loadedPath) window.location.reload();
    });
    return;
  }
  var textBox = document.getElementById("sp-text");
  var urlBox = document.getElementById("sp-url");
  var titleBox = document.getElementById("sp-title");
  var engineBox = document.getElementById("sp-engine");
  var sensitivityBox = document.getElementById("sp-sensitivity");
  var button = document.getElementById("sp-submit");
  var status = document.getElementById("sp-status");
  var errorBox = document.getElementById("sp-error");
  var result = document.getElementById("sp-result");
  var busy = false;

  function setBusy(on, message) {
    busy = on;
    button.disabled = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
    status.textContent = message || "";
    status.classList.toggle("sp-busy", on);
  }

  function showError(message, focus) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    if (focus) focus.focus();
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
  }

  async function readJson(response) {
    try {
      return await response.json();
    } catch (e) {
      return null;
    }
  }

  /* The status line says what the report shows: the summary's counts (spinscope.summary), the same figures
     as the report, the terminal and the JSON. */
  function doneLine(data) {
    var s = data.summary || {};
    var n = typeof s.technique_spans === "number" ? s.technique_spans : 0;
    var hidden = typeof s.hidden_technique_spans === "number" ? s.hidden_technique_spans : 0;
    return "Done: " + n + (n === 1 ? " persuasive passage" : " persuasive passages") + " shown" +
      (hidden ? " (+" + hidden + " more at 'everything': the legend can show them)" : "") +
      ". The report is below.";
  }

  async function analyse(payload) {
    var response;
    try {
      response = await fetch("/api/analyze", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(payload),
        credentials: "same-origin",
      });
    } catch (e) {
      throw new Error("Could not reach the spinscope server: it may have stopped. Start it again in a terminal with spinscope serve, then try again.");
    }
    var data = await readJson(response);
    if (!response.ok || !data || typeof data.permalink !== "string") {
      var message = data && data.message ? data.message : "The server answered " + response.status + ".";
      throw new Error(message.charAt(0).toUpperCase() + message.slice(1));
    }
    return data;
  }

  async function showReport(data) {
    var response = await fetch(data.permalink + "/fragment", { headers: { "Accept": "text/html" } });
    if (!response.ok) {
      var problem = await readJson(response);
      throw new Error(problem && problem.message ? problem.message : "Could not load the report.");
    }
    result.innerHTML = await response.text(); /* server-rendered, every piece of article text escaped */
    applyStyles(result);
    wireCopyButtons(result);
    result.hidden = false;
    runReportScript();
    result.focus({ preventScroll: true });
    result.scrollIntoView({ block: "start" });
  }

  window.addEventListener("popstate", async function (event) {
    var state = event.state;
    clearError();
    if (state && typeof state.permalink === "string") {
      try {
        await showReport(state);
      } catch (e) {
        showError(e.message || String(e), null);
      }
      return;
    }
    if (window.location.pathname !== loadedPath) {
      window.location.reload();
      return;
    }
    /* back on the front page: the form, without the old result */
    result.hidden = true;
    result.replaceChildren();
    setBusy(false, "");
  });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (busy) return;
    clearError();
    var text = textBox.value;
    var url = urlBox.value.trim();
    if (!text.trim() && !url) {
      showError("Paste the article's text, or give its URL.", textBox);
      return;
    }
    if (text.trim() && url) {
      showError("Give either the text or a URL, not both: clear one of them.", urlBox);
      return;
    }
    var payload = url ? { url: url } : { text: text };
    if (titleBox && titleBox.value.trim()) payload.title = titleBox.value.trim();
    if (engineBox && engineBox.value) payload.engine = engineBox.value;
    if (sensitivityBox && sensitivityBox.value) payload.sensitivity = sensitivityBox.value;
    setBusy(true, url ? "Fetching and analysing…" : "Analysing…");
    try {
      var data = await analyse(payload);
      await showReport(data);
      /* The address bar becomes the permalink, so reload, back/forward and bookmarks keep the result
         (the server renders /r/<id> as a page of its own). */
      history.pushState({ permalink: data.permalink }, "", data.permalink);
      setBusy(false, doneLine(data));
    } catch (e) {
      setBusy(false, "");
      showError(e.message || String(e), null);
    }
  });
})();
