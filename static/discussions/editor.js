// A small rich-text editor for comments: paragraphs, bold, italic, lists, links and quotes.
//
// Without JavaScript the form posts the plain textarea and the server turns its text into paragraphs. With it,
// the textarea is replaced by a contenteditable area whose HTML goes into the hidden `body_html` field, and
// `body_format` says "html". The server cleans that HTML with the site's one cleaning function whatever happens
// here; the paste filter below only keeps pasted text tidy (and free of inline styles, which our CSP forbids).
(function () {
  "use strict";

  var BLOCKS = { P: "p", DIV: "p", H1: "h3", H2: "h3", H3: "h3", H4: "h4", H5: "h4", H6: "h4",
                 BLOCKQUOTE: "blockquote", UL: "ul", OL: "ol", LI: "li" };
  var INLINE = { STRONG: "strong", B: "strong", EM: "em", I: "em", U: "u", A: "a", BR: "br" };
  var DROP = { SCRIPT: 1, STYLE: 1, TITLE: 1, META: 1, LINK: 1, XML: 1, TEMPLATE: 1, NOSCRIPT: 1, IFRAME: 1,
               OBJECT: 1, SVG: 1, MATH: 1, IMG: 1, HEAD: 1 };

  function safeHref(href) {
    href = (href || "").trim();
    return /^(https?:\/\/|mailto:)/i.test(href) ? href : "";
  }

  // Style attributes are renamed before parsing: parsing markup with inline styles in this page would break our
  // CSP (which forbids them), but Word's list markers live in those styles and are needed to rebuild lists.
  function defuseStyles(html) {
    return html.replace(/<style[\s\S]*?<\/style\s*>/gi, "").replace(/<[^>]+>/g, function (tag) {
      return tag.replace(/(\s)style(\s*=)/gi, "$1data-pasted-style$2");
    });
  }

  function styleOf(el) { return (el.getAttribute && el.getAttribute("data-pasted-style")) || ""; }

  // Word marks list items as paragraphs with "mso-list" in their style and the bullet or number in a span.
  function wordListInfo(el) {
    var style = styleOf(el);
    var cls = el.className || "";
    if (!/mso-list/i.test(style) && !/MsoListParagraph/i.test(cls)) return null;
    var level = 1;
    var m = /level(\d+)/i.exec(style);
    if (m) level = parseInt(m[1], 10);
    var text = (el.textContent || "").replace(/^\s+/, "");
    var ordered = /^(\(?[0-9ivxlcdm]+[.)]|\(?[a-z][.)])\s/i.test(text);
    return { level: level, ordered: ordered };
  }

  function isWordListMarker(node) {
    // <span style="mso-list:Ignore">1.<span>&nbsp;</span></span> and conditional-comment leftovers.
    return node.nodeType === 1 && /mso-list:\s*ignore/i.test(styleOf(node));
  }

  function cleanChildren(src, out, doc) {
    for (var child = src.firstChild; child; child = child.nextSibling) cleanNode(child, out, doc);
  }

  function cleanNode(node, out, doc) {
    if (node.nodeType === 3) { out.appendChild(doc.createTextNode(node.nodeValue.replace(/\u00a0/g, " "))); return; }
    if (node.nodeType !== 1) return;
    var tag = node.tagName.toUpperCase();
    if (DROP[tag] || isWordListMarker(node)) return;
    // Google Docs wraps everything in <b style="font-weight:normal">: not bold at all.
    if (tag === "B" && /font-weight:\s*normal/i.test(styleOf(node))) { cleanChildren(node, out, doc); return; }
    var style = styleOf(node);
    var name = BLOCKS[tag] || INLINE[tag];
    if (!name && tag === "SPAN") {
      if (/font-weight:\s*(bold|[6-9]00)/i.test(style)) name = "strong";
      else if (/font-style:\s*italic/i.test(style)) name = "em";
    }
    if (!name) { cleanChildren(node, out, doc); return; }
    var el = doc.createElement(name);
    if (name === "a") {
      var href = safeHref(node.getAttribute("href"));
      if (!href) { cleanChildren(node, out, doc); return; }
      el.setAttribute("href", href);
    }
    cleanChildren(node, el, doc);
    out.appendChild(el);
  }

  // Turn runs of Word list paragraphs into real nested lists.
  function rebuildWordLists(root, doc) {
    var children = Array.prototype.slice.call(root.childNodes);
    var stack = [];
    var result = doc.createDocumentFragment();
    children.forEach(function (node) {
      var info = node.nodeType === 1 ? wordListInfo(node) : null;
      if (!info) {
        if (node.nodeType === 3 && !node.nodeValue.trim() && stack.length) return;
        stack = [];
        result.appendChild(node);
        return;
      }
      while (stack.length > info.level) stack.pop();
      while (stack.length < info.level) {
        var list = doc.createElement(info.ordered ? "ol" : "ul");
        if (stack.length) {
          var parentList = stack[stack.length - 1];
          var lastItem = parentList.lastElementChild || parentList.appendChild(doc.createElement("li"));
          lastItem.appendChild(list);
        } else {
          result.appendChild(list);
        }
        stack.push(list);
      }
      var li = doc.createElement("li");
      while (node.firstChild) li.appendChild(node.firstChild);
      stack[stack.length - 1].appendChild(li);
    });
    while (root.firstChild) root.removeChild(root.firstChild);
    root.appendChild(result);
  }

  function cleanPastedHtml(html) {
    var parsed = new DOMParser().parseFromString(defuseStyles(html), "text/html");
    rebuildWordLists(parsed.body, parsed);
    var holder = parsed.createElement("div");
    cleanChildren(parsed.body, holder, parsed);
    return holder.innerHTML;
  }

  function textToHtml(text) {
    var div = document.createElement("div");
    return text.replace(/\r\n/g, "\n").split(/\n\s*\n/).filter(function (p) { return p.trim(); })
      .map(function (p) { div.textContent = p.trim(); return "<p>" + div.innerHTML.replace(/\n/g, "<br>") + "</p>"; })
      .join("");
  }

  // [command, key of its label in strings()]. Each button's accessible name is its visible label, nothing else.
  var BUTTONS = [
    ["bold", "bold"], ["italic", "italic"], ["insertUnorderedList", "bulleted"], ["insertOrderedList", "numbered"],
    ["blockquote", "quote"], ["createLink", "link"], ["p", "paragraph"],
  ];
  var STATEFUL = { bold: 1, italic: 1, insertUnorderedList: 1, insertOrderedList: 1 };

  // The editor's words, from Django's JavaScript catalogue (gettext, loaded before this script by base.html).
  function strings() {
    return { toolbar: gettext("Formatting"), bold: gettext("Bold"), italic: gettext("Italic"),
             bulleted: gettext("Bulleted list"), numbered: gettext("Numbered list"), quote: gettext("Quote"),
             link: gettext("Link"), paragraph: gettext("Paragraph"),
             linkPrompt: gettext("Address of the link (https://…)") };
  }

  // The ARIA toolbar pattern: the toolbar is one Tab stop (the last button used keeps the tabindex 0, the others
  // -1); Left and Right arrows (mirrored in right-to-left pages), Home and End move between the buttons.
  function makeRoving(toolbar) {
    function buttons() { return Array.prototype.slice.call(toolbar.querySelectorAll("button")); }
    function current(btn) {
      buttons().forEach(function (b) { b.tabIndex = b === btn ? 0 : -1; });
    }
    toolbar.addEventListener("focusin", function (e) { if (e.target.closest("button")) current(e.target.closest("button")); });
    toolbar.addEventListener("keydown", function (e) {
      var list = buttons();
      var index = list.indexOf(document.activeElement);
      if (index < 0) return;
      var rtl = getComputedStyle(toolbar).direction === "rtl";
      var next = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1, ArrowDown: 1, ArrowUp: -1 }[e.key];
      var target = null;
      if (next) target = list[(index + next + list.length) % list.length];
      else if (e.key === "Home") target = list[0];
      else if (e.key === "End") target = list[list.length - 1];
      if (!target) return;
      e.preventDefault();
      current(target);
      target.focus();
    });
    current(buttons()[0]);
  }

  function setup(form) {
    var textarea = form.querySelector("textarea[name=body]");
    var htmlField = form.querySelector("input[name=body_html]");
    var formatField = form.querySelector("input[name=body_format]");
    if (!textarea || !htmlField || !formatField) return;
    var text = strings();

    var wrapper = document.createElement("div");
    wrapper.className = "rich-editor border rounded";
    var toolbar = document.createElement("div");
    toolbar.className = "rich-editor-toolbar btn-toolbar gap-1 p-1 border-bottom";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", text.toolbar);
    var area = document.createElement("div");
    area.className = "rich-editor-area form-control border-0";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    // The text's own direction (Arabic typed on an English page and the reverse), whatever the page's.
    area.setAttribute("dir", "auto");
    area.id = textarea.id + "_editor";
    toolbar.setAttribute("aria-controls", area.id);
    var label = form.querySelector("label[for='" + textarea.id + "']");
    if (label) { label.id = label.id || textarea.id + "_label"; area.setAttribute("aria-labelledby", label.id); label.setAttribute("for", area.id); }
    if (textarea.getAttribute("aria-describedby")) area.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));

    var start = formatField.value === "html" || htmlField.value.trim() ? htmlField.value : "";
    area.innerHTML = start ? cleanPastedHtml(start) : textToHtml(textarea.value);

    BUTTONS.forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "btn btn-sm btn-light rich-editor-" + b[1];
      btn.textContent = text[b[1]];
      btn.dataset.command = b[0];
      if (STATEFUL[b[0]]) btn.setAttribute("aria-pressed", "false");
      toolbar.appendChild(btn);
    });
    makeRoving(toolbar);
    // Bold, italic and the lists say whether they apply where the cursor is.
    function updatePressed() {
      toolbar.querySelectorAll("button[aria-pressed]").forEach(function (btn) {
        var on = false;
        try { on = document.queryCommandState(btn.dataset.command); } catch (err) { on = false; }
        btn.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    document.addEventListener("selectionchange", function () {
      var selection = window.getSelection();
      if (selection.rangeCount && area.contains(selection.getRangeAt(0).commonAncestorContainer)) updatePressed();
    });
    toolbar.addEventListener("mousedown", function (e) { if (e.target.closest("button")) e.preventDefault(); });
    toolbar.addEventListener("click", function (e) {
      var btn = e.target.closest("button");
      if (!btn) return;
      area.focus();
      var cmd = btn.dataset.command;
      if (cmd === "blockquote" || cmd === "p") {
        document.execCommand("formatBlock", false, cmd);
      } else if (cmd === "createLink") {
        var url = safeHref(window.prompt(text.linkPrompt, "https://"));
        if (url) document.execCommand("createLink", false, url);
      } else {
        document.execCommand(cmd, false, null);
      }
      updatePressed();
      sync();
    });

    area.addEventListener("paste", function (e) {
      var data = e.clipboardData;
      if (!data) return;
      var html = data.getData("text/html");
      var text = data.getData("text/plain");
      e.preventDefault();
      insertHtml(html ? cleanPastedHtml(html) : textToHtml(text));
      sync();
    });

    // Inserted through a Range rather than execCommand("insertHTML"), which adds inline styles of its own.
    function insertHtml(clean) {
      var selection = window.getSelection();
      var range;
      if (selection.rangeCount && area.contains(selection.getRangeAt(0).commonAncestorContainer)) {
        range = selection.getRangeAt(0);
      } else {
        range = document.createRange();
        range.selectNodeContents(area);
        range.collapse(false);
      }
      range.deleteContents();
      var fragment = range.createContextualFragment(clean);
      var last = fragment.lastChild;
      range.insertNode(fragment);
      if (last) {
        range = document.createRange();
        range.setStartAfter(last);
        range.collapse(true);
        selection.removeAllRanges();
        selection.addRange(range);
      }
    }

    function sync() {
      htmlField.value = area.innerHTML;
      textarea.value = area.innerText;
      formatField.value = "html";
      var counter = form.querySelector("[data-char-count]");
      if (counter) counter.textContent = String(area.innerText.replace(/\s+$/, "").length);
    }
    area.addEventListener("input", sync);
    try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (err) { /* older browsers */ }

    wrapper.appendChild(toolbar);
    wrapper.appendChild(area);
    textarea.parentNode.insertBefore(wrapper, textarea);
    textarea.hidden = true;
    textarea.required = false;
    form.addEventListener("submit", sync);
    sync();
    form.classList.add("has-editor");
    // For draft.js, which puts a draft kept in the browser back into the editor (see hubEditorSetHtml below).
    form.hubEditorSetHtml = function (html) { area.innerHTML = html ? cleanPastedHtml(html) : textToHtml(textarea.value); sync(); };
  }

  // One submission per form: a second click while the first is on its way does nothing (the server's
  // submission key makes a reload harmless too).
  function guardDoubleSubmit(form) {
    form.addEventListener("submit", function (e) {
      if (form.dataset.submitting === "1") { e.preventDefault(); return; }
      form.dataset.submitting = "1";
      window.setTimeout(function () { form.dataset.submitting = ""; }, 8000);
    });
  }

  document.querySelectorAll("form[data-comment-form]").forEach(function (form) {
    setup(form);
    guardDoubleSubmit(form);
  });
  window.hubCleanPastedHtml = cleanPastedHtml;
  // Replace what the editor of `form` shows with `html` (cleaned as a paste is), or with the plain textarea's text
  // when `html` is empty; the hidden fields follow. Returns false when the form has no editor.
  window.hubEditorSetHtml = function (form, html) {
    if (!form.hubEditorSetHtml) return false;
    form.hubEditorSetHtml(html);
    return true;
  };
})();
