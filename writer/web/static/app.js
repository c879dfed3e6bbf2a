/* The review desk's keyboard and live updates. No framework; served by the app (CSP: script-src 'self').
 *
 * Keys (never while typing in a text box; Esc leaves the box):
 *   j / k        next / previous story (queue: move the selection; story page: go to it)
 *   Enter, o     open the selected story (queue)
 *   e            edit (story page)
 *   a, Enter     approve (two keys); a chief on a story whose check failed types a reason first
 *   r, Enter     reject
 *   h            hold: type the note, Enter
 *   Ctrl+Enter   save the edit
 *   /            search the queue;  u  back to the queue;  ?  these keys
 */
(function () {
  "use strict";

  var body = document.body;
  var page = body.getAttribute("data-page");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var pollMs = Math.max(1, parseFloat(body.getAttribute("data-poll-seconds") || "4")) * 1000;
  var confirmBox = document.getElementById("confirm");
  var confirmText = document.getElementById("confirm-text");
  var help = document.getElementById("help");
  var pending = null;

  function $(id) { return document.getElementById(id); }

  function typing(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toUpperCase();
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
    if (tag === "INPUT") {
      var type = (el.getAttribute("type") || "text").toLowerCase();
      return ["button", "submit", "checkbox", "radio", "reset", "hidden"].indexOf(type) < 0;
    }
    return false;
  }

  function ask(text, action) {
    pending = action;
    if (confirmText) confirmText.textContent = text;
    if (confirmBox) { confirmBox.hidden = false; confirmBox.setAttribute("data-open", "yes"); }
  }

  function cancel() {
    pending = null;
    if (confirmBox) { confirmBox.hidden = true; confirmBox.removeAttribute("data-open"); }
  }

  function post(url, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    form.hidden = true;
    var all = Object.assign({ csrf_token: csrf }, fields);
    Object.keys(all).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = all[name] == null ? "" : String(all[name]);
      form.appendChild(input);
    });
    body.appendChild(form);
    form.submit();
  }

  function go(url) { if (url) window.location.assign(url); }

  function toggleHelp() { if (help) help.hidden = !help.hidden; }

  var helpButton = $("help-button");
  if (helpButton) helpButton.addEventListener("click", toggleHelp);

  /* ---- the queue ------------------------------------------------------------------------- */
  var queue = {
    selected: 0,
    rows: function () { return Array.prototype.slice.call(document.querySelectorAll("#queue-body tr.queue-row")); },
    current: function () { return this.rows()[this.selected] || null; },
    select: function (i, scroll) {
      var rows = this.rows();
      if (!rows.length) return;
      this.selected = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (r, j) {
        r.classList.toggle("selected", j === queue.selected);
        r.setAttribute("aria-selected", j === queue.selected ? "true" : "false");
      });
      if (scroll !== false && rows[this.selected].scrollIntoView) rows[this.selected].scrollIntoView({ block: "nearest" });
    },
    selectId: function (id) {
      var rows = this.rows();
      for (var i = 0; i < rows.length; i++) {
        if (rows[i].getAttribute("data-story-id") === id) { this.select(i, false); return true; }
      }
      return false;
    }
  };

  var SELECTED = "writer-queue-selected";

  function remember(id) {
    try { window.sessionStorage.setItem(SELECTED, id); } catch (e) { /* storage off: start at the top */ }
  }

  function recall() {
    try { return window.sessionStorage.getItem(SELECTED); } catch (e) { return null; }
  }

  function openRow(row) {
    if (!row) return;
    remember(row.getAttribute("data-story-id"));
    go(row.getAttribute("data-url"));
  }

  function queueDecide(kind) {
    var row = queue.current();
    if (!row) return;
    if (kind === "approve" && row.getAttribute("data-status") === "published") return;  /* nothing to approve */
    var headline = (row.querySelector(".story-link") || {}).textContent || row.getAttribute("data-story-id");
    var url = row.getAttribute(kind === "approve" ? "data-approve-url" : "data-reject-url");
    var warn = kind === "approve" && row.getAttribute("data-check") !== "ok" && row.getAttribute("data-check") !== "overridden"
      ? " (its fact-check has not passed: open it to see why)" : "";
    ask((kind === "approve" ? "Approve" : "Reject") + " “" + headline.trim() + "”" + warn + "?", function () {
      var after = queue.rows()[queue.selected + 1];
      remember(after ? after.getAttribute("data-story-id") : row.getAttribute("data-story-id"));
      post(url, { version: row.getAttribute("data-version"), "return": "queue", query: body.getAttribute("data-query") || "" });
    });
  }

  function cell(text, cls) {
    var td = document.createElement("td");
    if (cls) td.className = cls;
    if (text != null) td.textContent = text;
    return td;
  }

  function span(text, cls) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

  function buildRow(r, fresh) {
    var tr = document.createElement("tr");
    tr.className = "queue-row status-" + r.status + (fresh ? " fresh" : "");
    tr.setAttribute("data-story-id", r.story_id);
    tr.setAttribute("data-version", r.version);
    tr.setAttribute("data-status", r.status);
    tr.setAttribute("data-check", r.check);
    tr.setAttribute("data-url", r.url);
    tr.setAttribute("data-approve-url", r.approve_url);
    tr.setAttribute("data-reject-url", r.approve_url.replace(/\/approve$/, "/reject"));
    var st = cell(null);
    st.appendChild(span(r.status, "status status-" + r.status));
    if (r.note) { var n = span(" ✎", "note"); n.title = r.note; st.appendChild(n); }
    tr.appendChild(st);
    var ck = cell(null);
    ck.appendChild(span(r.check, "check check-" + r.check));
    tr.appendChild(ck);
    tr.appendChild(cell(Number(r.score).toFixed(1), "num"));
    var story = cell(null, "story-cell");
    var a = document.createElement("a");
    a.className = "story-link";
    a.href = r.url;
    a.textContent = r.headline;
    story.appendChild(a);
    var snip = document.createElement("div");
    snip.className = "snippet";
    snip.textContent = r.snippet;
    story.appendChild(snip);
    tr.appendChild(story);
    tr.appendChild(cell(r.council_name || ""));
    tr.appendChild(cell(r.region || ""));
    var types = cell(r.kind, "types");
    (r.types || []).forEach(function (t) { types.appendChild(document.createTextNode(" ")); types.appendChild(span(t, "tag")); });
    tr.appendChild(types);
    var time = cell(null);
    var t = document.createElement("time");
    t.setAttribute("datetime", r.at);
    t.textContent = r.time;
    time.appendChild(t);
    if (r.publish_at) { var p = document.createElement("div"); p.className = "publish-at"; p.textContent = "publish " + ukTime(r.publish_at); time.appendChild(p); }
    tr.appendChild(time);
    tr.appendChild(cell(r.author));
    return tr;
  }

  /* British dates and times whatever the browser's language: "Fri 08 May 03:15", UK time */
  function ukTime(iso) {
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", weekday: "short", day: "2-digit", month: "short",
                                         hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
        .formatToParts(new Date(iso)).forEach(function (x) { parts[x.type] = x.value; });
    } catch (e) { return iso; }
    return parts.weekday + " " + parts.day + " " + parts.month + " " + parts.hour + ":" + parts.minute;
  }

  function thousands(n) { return Number(n).toLocaleString("en-GB"); }

  function signature(list) { return list.join("|"); }

  function domSignature() {
    return signature(queue.rows().map(function (r) {
      return [r.getAttribute("data-story-id"), r.getAttribute("data-version"), r.getAttribute("data-status"), r.getAttribute("data-check")].join("#");
    }));
  }

  function pollQueue() {
    var url = body.getAttribute("data-queue-json");
    var live = $("live-status");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json", "X-Requested-With": "fetch" } })
      .then(function (res) {
        if (res.status === 401) { if (live) live.textContent = "Signed out: reload the page to sign in again."; return null; }
        return res.ok ? res.json() : null;
      })
      .then(function (data) {
        if (!data) return;
        var sig = signature(data.rows.map(function (r) { return [r.story_id, r.version, r.status, r.check].join("#"); }));
        if (sig !== domSignature()) {
          var tbody = $("queue-body");
          var before = {};
          queue.rows().forEach(function (r) { before[r.getAttribute("data-story-id")] = r.getAttribute("data-version"); });
          var current = queue.current();
          var keep = current ? current.getAttribute("data-story-id") : null;
          var frag = document.createDocumentFragment();
          data.rows.forEach(function (r) { frag.appendChild(buildRow(r, before[r.story_id] !== String(r.version))); });
          if (!data.rows.length) {
            var empty = document.createElement("tr");
            empty.className = "empty";
            empty.id = "queue-empty";
            var td = cell("No stories yet.");
            td.colSpan = 9;
            empty.appendChild(td);
            frag.appendChild(empty);
          }
          tbody.replaceChildren(frag);
          if (!(keep && queue.selectId(keep))) queue.select(Math.min(queue.selected, data.rows.length - 1), false);
          if (live) live.textContent = "Updated " + new Date().toLocaleTimeString("en-GB", { timeZone: "Europe/London", hourCycle: "h23" });
        }
        var count = $("queue-count");
        if (count) {
          count.setAttribute("data-count", data.count);
          count.setAttribute("data-total", data.total);
          count.textContent = data.count === data.total ? thousands(data.count) : thousands(data.count) + " of " + thousands(data.total);
        }
        Object.keys(data.counts || {}).forEach(function (s) {
          var el = $("count-" + s);
          var b = el && el.querySelector("b");
          if (b) b.textContent = thousands(data.counts[s]);
        });
      })
      .catch(function () { if (live) live.textContent = "Not connected: retrying…"; })
      .then(function () { window.setTimeout(pollQueue, pollMs); });
  }

  if (page === "queue") {
    var kept = recall();
    if (!(kept && queue.selectId(kept))) queue.select(0, false);
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { var f = $("filter-form"); if (f) f.submit(); });
    });
    var qbody = $("queue-body");
    if (qbody) qbody.addEventListener("click", function (ev) {
      var tr = ev.target.closest ? ev.target.closest("tr.queue-row") : null;
      if (tr && ev.target.tagName !== "A") queue.selectId(tr.getAttribute("data-story-id"));
    });
    window.setTimeout(pollQueue, pollMs);
  }

  /* ---- a story --------------------------------------------------------------------------- */
  function storyApprove() {
    var form = $("approve-form");
    if (!form) return;
    var reason = $("override-reason");
    if (reason && !reason.value.trim()) {
      reason.focus();  /* a chief overriding a failed check: type the reason, then Enter */
      return;
    }
    var blocked = $("approve-blocked");
    ask(blocked ? "Approve? The fact-check has not passed, so this will be refused." : "Approve this story?",
        function () { form.submit(); });
  }

  function storyReject() {
    var form = $("reject-form");
    if (form) ask("Reject this story?", function () { form.submit(); });
  }

  function pollStory() {
    var url = body.getAttribute("data-state-url");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json", "X-Requested-With": "fetch" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (s) {
        if (!s) return;
        var banner = $("newer-version");
        if (!banner) return;
        var mine = body.getAttribute("data-version");
        if (String(s.version) !== mine) {
          banner.textContent = "Version " + s.version + " has been saved by " + s.author +
            " since you opened this page. If you save, you will be shown both versions. ";
          var a = document.createElement("a");
          a.href = window.location.pathname + window.location.search;
          a.id = "reload-story";
          a.textContent = "Load it";
          banner.appendChild(a);
          banner.hidden = false;
          banner.setAttribute("data-version", s.version);
        } else if (s.status !== body.getAttribute("data-status")) {
          banner.textContent = "Now " + s.status + ". ";
          var b = document.createElement("a");
          b.href = window.location.pathname + window.location.search;
          b.id = "reload-story";
          b.textContent = "Reload";
          banner.appendChild(b);
          banner.hidden = false;
        }
      })
      .catch(function () {})
      .then(function () { window.setTimeout(pollStory, pollMs); });
  }

  if (page === "story") {
    remember(body.getAttribute("data-story-id"));
    window.setTimeout(pollStory, pollMs);
    var editForm = $("edit-form");
    if (editForm) editForm.addEventListener("keydown", function (ev) {
      if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); editForm.submit(); }
    });
  }

  /* ---- keys ------------------------------------------------------------------------------ */
  var keys = {
    queue: {
      "j": function () { queue.select(queue.selected + 1); },
      "ArrowDown": function () { queue.select(queue.selected + 1); },
      "k": function () { queue.select(queue.selected - 1); },
      "ArrowUp": function () { queue.select(queue.selected - 1); },
      "Enter": function () { openRow(queue.current()); },
      "o": function () { openRow(queue.current()); },
      "a": function () { queueDecide("approve"); },
      "r": function () { queueDecide("reject"); },
      "/": function () { var q = $("filter-q"); if (q) q.focus(); }
    },
    story: {
      "j": function () { go(body.getAttribute("data-next-url")); },
      "k": function () { go(body.getAttribute("data-prev-url")); },
      "e": function () { var b = $("edit-body"); if (b) { b.focus(); } },
      "a": storyApprove,
      "r": storyReject,
      "h": function () { var n = $("hold-note"); if (n) n.focus(); },
      "u": function () { go(body.getAttribute("data-queue-url")); }
    }
  };

  document.addEventListener("keydown", function (ev) {
    if (pending) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        var action = pending;
        cancel();
        action();
      } else if (ev.key !== "Shift") {
        if (ev.key === "Escape") ev.preventDefault();
        cancel();
      }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (typing(ev.target)) {
      if (ev.key === "Escape") ev.target.blur();
      return;
    }
    if (ev.key === "Enter" && ev.target && /^(A|BUTTON)$/.test(ev.target.tagName || "")) return;
    if (ev.key === "?") { ev.preventDefault(); toggleHelp(); return; }
    if (ev.key === "Escape") { if (help) help.hidden = true; return; }
    var table = keys[page] || {};
    var fn = table[ev.key];
    if (fn) {
      ev.preventDefault();
      fn();
    }
  });
})();
