// The export page: keep the match count and the download links in step with the filters as they change.
// Without this script the "Count matching comments" button does the same with a page load.
(function () {
  "use strict";
  const form = document.querySelector("form.export-filters");
  if (!form) return;
  const countEl = document.getElementById("match-count");
  const links = document.querySelectorAll("a.download-link");
  const discussionSelect = form.querySelector("select[name=discussion]");
  let pending = null;

  function queryString() {
    const params = new URLSearchParams();
    new FormData(form).forEach((value, key) => { if (value !== "") params.append(key, value); });
    return params.toString();
  }

  function updateLinks(query) {
    const single = discussionSelect ? discussionSelect.selectedOptions.length === 1 : false;
    links.forEach((link) => {
      const parts = [query, link.dataset.extra || ""].filter(Boolean);
      link.href = link.dataset.base + "?" + parts.join("&");
      if (link.dataset.single) {
        link.classList.toggle("disabled", !single);
        if (single) { link.removeAttribute("aria-disabled"); link.removeAttribute("tabindex"); }
        else { link.setAttribute("aria-disabled", "true"); link.setAttribute("tabindex", "-1"); }
      }
    });
  }

  function refresh() {
    const query = queryString();
    updateLinks(query);
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(form.dataset.countUrl + "?" + query, {signal: pending.signal, headers: {"Accept": "application/json"}})
      .then((response) => response.json().then((data) => ({ok: response.ok, data})))
      .then(({ok, data}) => {
        if (!ok) { countEl.textContent = gettext("Correct the filters to see how many comments match."); return; }
        // ngettext picks the language's own plural form (Arabic has six), which a singular/plural pair cannot.
        countEl.textContent = interpolate(ngettext("%(count)s comment matches.", "%(count)s comments match.",
          data.count), {count: String(data.count)}, true);
      })
      .catch((error) => { if (error.name !== "AbortError") countEl.textContent = ""; });
  }

  form.addEventListener("change", refresh);
})();
