// The job page: poll the job's status every second and move the bar; reload once it has finished, so the page
// shows the download link and the report. Without this script the page refreshes itself (<noscript> refresh).
(function () {
  "use strict";
  const section = document.querySelector("section.job[data-status-url]");
  if (!section || section.dataset.finished === "1") return;
  const bar = section.querySelector("progress.job-progress");
  const text = section.querySelector(".job-progress-text");
  const label = section.querySelector(".job-status-label");
  const INTERVAL = 1000;
  let timer = null;

  function show(data) {
    const percent = Math.max(0, Math.min(100, data.percent | 0));
    bar.value = percent;
    bar.textContent = percent + " %";
    text.textContent = data.text;
    label.textContent = data.status_label;
  }

  function poll() {
    fetch(section.dataset.statusUrl, {headers: {"Accept": "application/json"}, cache: "no-store"})
      .then((response) => { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then((data) => {
        show(data);
        if (data.finished) { window.location.reload(); return; }
        timer = window.setTimeout(poll, INTERVAL);
      })
      .catch(() => { timer = window.setTimeout(poll, INTERVAL * 3); });
  }

  timer = window.setTimeout(poll, INTERVAL);
})();
