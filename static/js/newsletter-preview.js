// The newsletter preview (templates/newsletter/newsletter_preview.html): size the frame that
// shows the email to the email, so the page scrolls rather than a box inside it.
(function () {
  "use strict";
  var frame = document.getElementById("email-preview");
  if (!frame) {
    return;
  }
  function fit() {
    try {
      var doc = frame.contentDocument;
      if (doc && doc.documentElement) {
        frame.style.height = (doc.documentElement.scrollHeight + 4) + "px";
      }
    } catch (e) {
      // A frame from elsewhere cannot be measured: it keeps its minimum height.
    }
  }
  frame.addEventListener("load", fit);
  window.addEventListener("resize", fit);
  fit();
})();
