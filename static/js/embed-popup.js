// The sign-in popup of an embedded discussion (#30), once the member said yes: it tells the
// frame that opened it, where the browser kept that link (forum's Cross-Origin-Opener-Policy
// usually cuts it; the frame asks the server meanwhile), to forum's origin alone, and closes.
(function () {
  "use strict";
  var done = document.querySelector("[data-signed-in]");
  if (!done) return;
  try {
    if (window.opener) {
      window.opener.postMessage(
        { source: "forum-sign-in", token: done.getAttribute("data-signed-in") }, location.origin);
    }
  } catch (e) { /* a severed opener */ }
  window.close();
})();
