// Old permalinks of imported comments (#28). A link to a comment on the old site ends in
// "#comment-<its id there>"; the server never sees a fragment, so the old address's 301 lands
// here with the fragment kept, and this script, on articles that came from another site only,
// sends the reader on to that comment through /imported/<article>/comments/<old id>/. It acts
// when the page says it came from an old address (?from-old, set by that 301), or when no
// comment here has that id (an old permalink already shaped like ours).
(function () {
  "use strict";
  var article = document.querySelector("[data-old-comments]");
  var match = /^#comment-([0-9]{1,19})$/.exec(window.location.hash);
  if (!article || !match) {
    return;
  }
  var fromOld = new URLSearchParams(window.location.search).has("from-old");
  if (!fromOld && document.getElementById("comment-" + match[1])) {
    return;
  }
  window.location.replace(article.getAttribute("data-old-comments") + match[1] + "/");
})();
