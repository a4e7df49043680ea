/* spinscope web page: the reader's corrections of a report. "Wrong" on a highlighted passage, "missed" on
   selected words with a technique chosen; kept in this browser (localStorage, per result) and exported
   through POST /api/marks/export in the formats of `spinscope export` (server/marks.py).

   Offsets are code points of the stored article text (Python str indices, what the JSON and the report's
   data-start use). JavaScript strings count UTF-16 units, so an emoji or a flag counts twice here: every
   length below is taken with Array.from, which walks code points. */
(function () {
  "use strict";

  var PREFIX = "spinscope-marks:";

  function codePoints(s) {
    return Array.from(s).length;
  }

  function load(id) {
    try {
      var data = JSON.parse(window.localStorage.getItem(PREFIX + id) || "null");
      if (data && Array.isArray(data.wrong) && Array.isArray(data.missed)) return data;
    } catch (e) { /* a broken entry: start again */ }
    return { wrong: [], missed: [] };
  }

  function save(id, marks) {
    window.localStorage.setItem(PREFIX + id, JSON.stringify(marks));
  }

  function same(a, b) {
    return a.start === b.start && a.end === b.end && a.technique === b.technique;
  }

  /* The code point offset at which each paragraph of the report starts: its text is found in the article's,
     in order (the report draws each paragraph as an exact slice of the text). */
  function paragraphStarts(textBox, text) {
    var starts = new Map();
    var cursor = 0;
    textBox.querySelectorAll("p").forEach(function (p) {
      var content = p.textContent;
      var at = content ? text.indexOf(content, cursor) : -1;
      if (at < 0) return;
      starts.set(p, codePoints(text.slice(0, at)));
      cursor = at + content.length;
    });
    return starts;
  }

  /* The code point offset of a DOM boundary point inside the report's article text, or null outside it. */
  function offsetOf(textBox, starts, node, offset) {
    var el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    var p = el && el.closest("p");
    if (!p || !textBox.contains(p) || !starts.has(p)) return null;
    var range = document.createRange();
    range.setStart(p, 0);
    range.setEnd(node, offset);
    return starts.get(p) + codePoints(range.toString());
  }

  function init(panel) {
    if (panel.getAttribute("data-ready")) return;
    panel.setAttribute("data-ready", "1");
    var id = panel.getAttribute("data-result-id");
    var report = document.querySelector(".ss-report");
    var textBox = report && report.querySelector(".ss-text");
    var wrongButton = panel.querySelector("#sp-mark-wrong");
    var missedButton = panel.querySelector("#sp-mark-missed");
    var select = panel.querySelector("#sp-mark-technique");
    var own = panel.querySelector("#sp-mark-own");
    var list = panel.querySelector("#sp-marks-list");
    var status = panel.querySelector("#sp-marks-status");
    var analysis = null;
    var starts = null;
    var chosen = null; /* the span a click on a highlight picked: {start, end, technique} */
    var marks = load(id);
    var names = {};

    function say(message) {
      status.textContent = message;
    }

    function excerpt(m) {
      var t = analysis ? Array.from(analysis.text).slice(m.start, m.end).join("") : "";
      return t.length > 80 ? t.slice(0, 79) + "…" : t;
    }

    function render() {
      list.replaceChildren();
      [["wrong", "Wrong"], ["missed", "Missed"]].forEach(function (pair) {
        marks[pair[0]].forEach(function (m, n) {
          var li = document.createElement("li");
          li.className = "sp-mark sp-mark-" + pair[0];
          var head = document.createElement("b");
          head.textContent = pair[1] + ": ";
          var body = document.createElement("span");
          body.textContent = "“" + excerpt(m) + "” (" + (names[m.technique] || m.technique) + ")";
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "sp-button-small";
          remove.textContent = "Remove";
          remove.setAttribute("aria-label", "Remove this mark");
          remove.addEventListener("click", function () {
            marks[pair[0]].splice(n, 1);
            save(id, marks);
            render();
          });
          li.append(head, body, " ", remove);
          list.appendChild(li);
        });
      });
      var count = marks.wrong.length + marks.missed.length;
      panel.querySelectorAll("[data-export]").forEach(function (b) { b.disabled = count === 0; });
    }

    function add(kind, mark) {
      if (marks[kind].some(function (m) { return same(m, mark); })) {
        say("Already marked.");
        return;
      }
      marks[kind].push(mark);
      save(id, marks);
      render();
      say((kind === "wrong" ? "Marked wrong: " : "Marked missed: ") + "“" + excerpt(mark) + "”.");
    }

    /* a click on a highlight: the shown span of its first technique that covers the clicked run */
    function pick(run) {
      if (!analysis) return;
      var start = Number(run.getAttribute("data-start"));
      var end = Number(run.getAttribute("data-end"));
      var wanted = (run.getAttribute("data-techniques") || "").split(" ")[0];
      var span = (analysis.techniques || []).find(function (t) {
        return t.shown !== false && t.technique === wanted && t.start <= start && end <= t.end;
      });
      if (!span) return;
      chosen = { start: span.start, end: span.end, technique: span.technique };
      wrongButton.disabled = false;
      wrongButton.textContent = "Wrong: “" + excerpt(chosen) + "”";
    }

    if (textBox) {
      textBox.addEventListener("click", function (event) {
        var run = event.target.closest && event.target.closest("mark.ss-t");
        if (run) pick(run);
      });
      textBox.addEventListener("keydown", function (event) {
        var run = event.key === "Enter" && event.target.closest && event.target.closest("mark.ss-t");
        if (run) pick(run);
      });
    }

    wrongButton.addEventListener("click", function () {
      if (chosen) add("wrong", chosen);
    });

    missedButton.addEventListener("click", function () {
      var selection = window.getSelection();
      if (!analysis || !textBox || !selection || selection.rangeCount === 0 || selection.isCollapsed) {
        say("Select some words of the article first.");
        return;
      }
      var range = selection.getRangeAt(0);
      var start = offsetOf(textBox, starts, range.startContainer, range.startOffset);
      var end = offsetOf(textBox, starts, range.endContainer, range.endOffset);
      if (start === null || end === null) {
        say("Select words inside the article's text.");
        return;
      }
      var chars = Array.from(analysis.text);
      while (start < end && /\s/.test(chars[start])) start++;
      while (end > start && /\s/.test(chars[end - 1])) end--;
      if (end <= start) {
        say("Select some words of the article first.");
        return;
      }
      var technique = (own && own.value.trim()) || select.value;
      add("missed", { start: start, end: end, technique: technique });
    });

    panel.querySelectorAll("[data-export]").forEach(function (button) {
      button.addEventListener("click", async function () {
        var body = { result_id: id, format: button.getAttribute("data-export"), wrong: marks.wrong, missed: marks.missed };
        say("Exporting…");
        try {
          var response = await fetch("/api/marks/export", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(body),
            credentials: "same-origin",
          });
          if (!response.ok) {
            var problem = null;
            try { problem = await response.json(); } catch (e) { /* not JSON */ }
            say(problem && problem.message ? problem.message : "The server answered " + response.status + ".");
            return;
          }
          var disposition = response.headers.get("Content-Disposition") || "";
          var match = /filename="([^"]+)"/.exec(disposition);
          var blob = await response.blob();
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = match ? match[1] : "spinscope-marks";
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
          say("Exported " + (marks.wrong.length + marks.missed.length) + " marks.");
        } catch (e) {
          say("Could not reach the spinscope server.");
        }
      });
    });

    Promise.all([
      fetch("/api/result/" + encodeURIComponent(id), { headers: { "Accept": "application/json" } }).then(function (r) { return r.json(); }),
      fetch("/api/techniques", { headers: { "Accept": "application/json" } }).then(function (r) { return r.json(); }),
    ]).then(function (answers) {
      analysis = answers[0];
      answers[1].forEach(function (t) {
        names[t.id] = t.name;
        var option = document.createElement("option");
        option.value = t.id;
        option.textContent = t.name;
        select.appendChild(option);
      });
      if (textBox) starts = paragraphStarts(textBox, analysis.text);
      missedButton.disabled = false;
      render();
      panel.setAttribute("data-loaded", "1");
    }, function () {
      say("Could not load this analysis for marking.");
    });
  }

  function scan() {
    document.querySelectorAll(".sp-marks").forEach(init);
  }

  scan();
  new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
})();
