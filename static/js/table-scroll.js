// A table wider than the screen scrolls sideways inside its .table-responsive box (the page
// itself never does). Keyboard users need to reach that box to scroll it (WCAG 2.1.1; axe's
// scrollable-region-focusable), so a box that scrolls becomes a named region in the Tab
// order, named after the table's caption; one that fits is left alone.
(function () {
  "use strict";
  function name(box) {
    var caption = box.querySelector("caption");
    var text = caption ? caption.textContent.replace(/\s+/g, " ").trim() : "";
    return (text || "Table") + " (scrolls sideways)";
  }
  function update() {
    var boxes = document.querySelectorAll(".table-responsive");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", name(box));
          box.setAttribute("data-scrolls", "");
        }
      } else if (box.hasAttribute("data-scrolls")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        box.removeAttribute("data-scrolls");
      }
    }
  }
  update();
  window.addEventListener("resize", update);
  document.addEventListener("htmx:afterSettle", update);
})();
