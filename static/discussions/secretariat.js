// The export page: keep the match count and the export buttons in step with the filters as they change.
// Without this script the "Count matching comments" button does the same with a page load.
(function () {
  "use strict";
  const form = document.querySelector("form.export-filters");
  if (!form) return;
  const countEl = document.getElementById("match-count");
  const start = document.querySelector("form.export-start");
  const discussionSelect = form.querySelector("select[name=discussion]");
  let pending = null;

  function queryString() {
    const params = new URLSearchParams();
    new FormData(form).forEach((value, key) => { if (value !== "") params.append(key, value); });
    return params.toString();
  }

  // The export buttons post to the start URL with the filters in its query string.
  function updateStart(query) {
    if (!start) return;
    start.action = start.dataset.base + (query ? "?" + query : "");
    const single = discussionSelect ? discussionSelect.selectedOptions.length === 1 : false;
    start.querySelectorAll("button[data-single]").forEach((button) => { button.disabled = !single; });
  }

  function refresh() {
    const query = queryString();
    updateStart(query);
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
  // Coming back to the page (the Back button after an export), the browser restores the chosen filters but not the
  // count or the buttons' target: bring them in step.
  window.addEventListener("pageshow", () => { if (queryString() !== (form.dataset.query || "")) refresh(); });
})();
