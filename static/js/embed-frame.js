// The frame side of the embed (#30): tells the host page how tall the discussion is, so that
// the frame grows with it, and where a comment it was sent to is, so that the host scrolls
// there. Messages go to the host site's origin alone (the one the server allows to frame us);
// links and forms that leave the discussion open in a new tab instead of inside the frame.
(function () {
  "use strict";
  var root = document.documentElement;
  var host = root.getAttribute("data-host-origin");
  if (!host || window.parent === window) return;

  function send(message) {
    message.source = "forum-embed";
    window.parent.postMessage(message, host);
  }
  var last = 0;
  function sendHeight() {
    var height = Math.ceil(document.body.getBoundingClientRect().height +
      parseFloat(getComputedStyle(document.body).marginTop) * 2);
    if (height !== last) { last = height; send({ type: "height", height: height }); }
  }
  if (window.ResizeObserver) new ResizeObserver(sendHeight).observe(document.body);
  window.addEventListener("load", sendHeight);
  sendHeight();

  // After a post or a permalink: the host scrolls its own page to the comment.
  var target = /^#[\w-]+$/.test(location.hash) && document.querySelector(location.hash);
  if (target) {
    window.addEventListener("load", function () {
      send({ type: "scroll", top: Math.max(0, target.getBoundingClientRect().top + window.scrollY - 16) });
    });
  }

  // The host asks again (it loaded after us): answer with the height, from its origin only.
  window.addEventListener("message", function (event) {
    if (event.origin !== host || event.source !== window.parent) return;
    if (event.data && event.data.type === "hello") { last = 0; sendHeight(); }
  });

  function leaves(address) {
    var url = new URL(address, location.href);
    return url.origin !== location.origin || url.pathname.indexOf("/embed/") !== 0;
  }
  // Editing or deleting one's comment stays in the frame, whose session knows it is theirs.
  var frame = root.getAttribute("data-frame-address");
  var OWN = /^\/comments\/(\d+)\/(edit|delete)\/$/;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    var own = link && frame && new URL(link.href, location.href);
    var match = own && own.origin === location.origin && OWN.exec(own.pathname);
    if (match) { link.href = frame + match[2] + "/" + match[1] + "/"; return; }
    if (link && !link.target && leaves(link.href)) {
      link.target = "_blank";
      link.rel = (link.rel + " noopener").trim();
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.target && leaves(form.action)) form.target = "_blank";
  }, true);
})();
