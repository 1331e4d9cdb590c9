// Unsent comment drafts, kept in this browser's localStorage so that a reload, a crash or an expired session does
// not lose a long answer.
//
// A comment form names its draft in `data-draft-key` ("hub-draft:<user>:<target>", one per person and form target:
// a question, the comment replied to, a general comment, or the comment being edited). What is kept: the editor's
// HTML (`body_html`), the plain textarea, `body_format`, the ticked priorities and working groups, and the names of
// the files kept on the server for the form (files cannot be kept in a draft: the notice asks to choose them
// again). It is saved as the person types (at most once a second, and at once when the form is sent or the page is
// left), and when the server sends the form back after a preview or an error.
//
// A draft is put back only when the form opens fresh (`data-draft-fresh`: not a form the server sent back after a
// preview or an error, which already holds what was sent), and, for a new comment, only when the form is empty;
// a notice says so and offers to discard it. The page after a successful post carries `data-posted-draft-key`
// (on its message), and this script forgets that draft. Signing out (a form with `data-sign-out`, or the "signed
// out" message's `data-drafts-clear`) forgets every draft; a page of another signed-in person (`data-hub-user` on
// <body>) forgets drafts that are not theirs. Drafts older than 30 days are dropped.
//
// The editor (editor.js) owns the contenteditable area; a restored text goes in through window.hubEditorSetHtml.
(function () {
  "use strict";

  var PREFIX = "hub-draft:";
  var MAX_AGE_MS = 30 * 24 * 3600 * 1000;
  var THROTTLE_MS = 1000;
  var CHOICES = ["priorities", "working_groups"];

  var store = null;
  try {
    store = window.localStorage;
    store.getItem(PREFIX);
  } catch (err) {
    return; // storage disabled (private mode, policy): the forms work as before, without drafts
  }

  function draftKeys() {
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) keys.push(key);
    }
    return keys;
  }

  function forget(key) {
    try { store.removeItem(key); } catch (err) { /* nothing to do */ }
  }

  function forgetAll() { draftKeys().forEach(forget); }

  function read(key) {
    var raw = null;
    try { raw = store.getItem(key); } catch (err) { return null; }
    if (!raw) return null;
    try {
      var draft = JSON.parse(raw);
      if (!draft || typeof draft !== "object" || typeof draft.savedAt !== "number") throw new Error("shape");
      return draft;
    } catch (err) {
      forget(key);
      return null;
    }
  }

  // --- Markers on any page ------------------------------------------------------------------------------------
  document.querySelectorAll("[data-drafts-clear]").forEach(forgetAll);
  document.querySelectorAll("[data-posted-draft-key]").forEach(function (el) {
    forget(el.getAttribute("data-posted-draft-key"));
  });
  document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
    form.addEventListener("submit", forgetAll);
  });
  var user = document.body.getAttribute("data-hub-user");
  var now = Date.now();
  draftKeys().forEach(function (key) {
    var owner = key.slice(PREFIX.length).split(":")[0];
    var draft = read(key);
    if ((user && owner !== user) || !draft || now - draft.savedAt > MAX_AGE_MS) forget(key);
  });

  // --- Comment forms ------------------------------------------------------------------------------------------
  function field(form, name) { return form.querySelector("[name='" + name + "']"); }

  function snapshot(form) {
    var state = { body: "", bodyHtml: "", bodyFormat: "" };
    var body = field(form, "body"), html = field(form, "body_html"), format = field(form, "body_format");
    if (body) state.body = body.value;
    if (html) state.bodyHtml = html.value;
    if (format) state.bodyFormat = format.value;
    // Only the names of the files kept on the server for this form: the files themselves are not in a draft.
    state.files = Array.prototype.map.call(form.querySelectorAll(".staged-file-name"), function (el) {
      return el.textContent;
    });
    CHOICES.forEach(function (name) {
      state[name] = Array.prototype.map.call(
        form.querySelectorAll("input[type=checkbox][name='" + name + "']:checked"), function (cb) { return cb.value; });
    });
    return state;
  }

  function textOf(html) {
    var div = document.createElement("div");
    div.innerHTML = html; // never attached to the page: only its text is read
    return div.textContent || "";
  }

  function isEmpty(state) {
    return !state.body.trim() && !textOf(state.bodyHtml).trim() &&
      CHOICES.every(function (name) { return !(state[name] || []).length; });
  }

  function same(a, b) {
    if (a.body.trim() !== b.body.trim()) return false;
    if ((a.bodyHtml || b.bodyHtml) && textOf(a.bodyHtml).trim() !== textOf(b.bodyHtml).trim()) return false;
    return CHOICES.every(function (name) {
      return (a[name] || []).slice().sort().join(",") === (b[name] || []).slice().sort().join(",");
    });
  }

  function apply(form, state) {
    var body = field(form, "body"), html = field(form, "body_html"), format = field(form, "body_format");
    if (body) body.value = state.body || "";
    if (html) html.value = state.bodyHtml || "";
    if (format) format.value = state.bodyFormat || "";
    CHOICES.forEach(function (name) {
      var ticked = state[name] || [];
      form.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (cb) {
        cb.checked = ticked.indexOf(cb.value) !== -1;
      });
    });
    if (window.hubEditorSetHtml) window.hubEditorSetHtml(form, state.bodyFormat === "html" ? state.bodyHtml : "");
  }

  function formatTime(ms) {
    var lang = document.documentElement.lang || undefined;
    try {
      return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" }).format(new Date(ms));
    } catch (err) {
      return new Date(ms).toLocaleString();
    }
  }

  function showNotice(form, draft, onDiscard) {
    var template = document.getElementById("draft-notice-template");
    if (!template) return;
    var notice = template.content.firstElementChild.cloneNode(true);
    var text = notice.querySelector("[data-draft-notice-text]");
    var parts = text.getAttribute("data-restored").split("%(time)s");
    text.textContent = parts[0];
    var time = document.createElement("time");
    time.dateTime = new Date(draft.savedAt).toISOString();
    time.textContent = formatTime(draft.savedAt);
    text.appendChild(time);
    text.appendChild(document.createTextNode(parts.slice(1).join("%(time)s")));
    if (draft.files && draft.files.length) {
      text.appendChild(document.createTextNode(" " + text.getAttribute("data-files").replace("%(names)s",
        draft.files.join(", "))));
    }
    notice.querySelector("[data-draft-discard]").addEventListener("click", function (e) {
      onDiscard();
      text.textContent = text.getAttribute("data-discarded");
      e.currentTarget.remove();
      var editor = form.querySelector("[contenteditable=true]") || field(form, "body");
      if (editor) editor.focus();
    });
    form.insertBefore(notice, form.firstChild);
  }

  function setup(form) {
    var key = form.getAttribute("data-draft-key");
    if (!key || key.indexOf(PREFIX) !== 0) return;
    var opened = snapshot(form);
    var draft = read(key);
    if (draft && form.hasAttribute("data-draft-fresh")) {
      // A new comment's form that already holds something (the browser refilled it) is left alone; an edit form
      // always holds the comment, and gets the draft back if the draft says something else.
      var editing = key.split(":")[2].indexOf("edit-") === 0;
      if (same(draft, opened)) {
        forget(key);
      } else if (editing || isEmpty(opened)) {
        apply(form, draft);
        showNotice(form, draft, function () {
          forget(key);
          apply(form, opened);
        });
      }
    }

    var timer = null;
    function save() {
      if (timer) { window.clearTimeout(timer); timer = null; }
      var state = snapshot(form);
      if (isEmpty(state)) { forget(key); return; }
      state.savedAt = Date.now();
      try { store.setItem(key, JSON.stringify(state)); } catch (err) { /* full or refused: keep typing */ }
    }
    function later() { if (!timer) timer = window.setTimeout(save, THROTTLE_MS); }
    // A form the server sent back (after a preview, an error, a file removed) holds what was sent, and the files
    // now kept for it: that is the draft from here on.
    if (!form.hasAttribute("data-draft-fresh")) save();
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    // Kept when the form is sent too: if the post does not get through (an expired session), the text is here.
    form.addEventListener("submit", save);
    window.addEventListener("pagehide", function () { if (timer) save(); });
  }

  document.querySelectorAll("form[data-comment-form][data-draft-key]").forEach(setup);
})();
