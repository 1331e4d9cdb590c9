// Moderation pages: small conveniences; every action works without JavaScript.
(() => {
  const selectAll = document.querySelector("[data-select-all]");
  if (selectAll) {
    selectAll.classList.remove("d-none");
    selectAll.addEventListener("click", () => {
      const boxes = document.querySelectorAll('input[type="checkbox"][form="bulk-form"]');
      const check = Array.from(boxes).some((box) => !box.checked);
      boxes.forEach((box) => { box.checked = check; });
    });
  }
})();
