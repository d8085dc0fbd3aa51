// forum's embed for any site (#30). On the host page:
//   <div id="forum-comments" data-page="https://blog.example.com/post/" data-title="A post"
//        data-theme="auto" data-accent="#1f5b8f"></div>
//   <script src="https://forum.example.com/static/js/embed.js" async></script>
// It frames the discussion from forum's origin, grows the frame to its height (messages from
// that frame only), and fills links marked data-count with "N comments", in one request.
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector('script[src*="/embed.js"]');
  if (!script) return;
  var forum = new URL(script.src, location.href).origin;

  function canonical() {
    var link = document.querySelector('link[rel="canonical"]');
    var url = new URL(link ? link.href : location.href);
    url.hash = ""; url.search = "";
    return url.href;
  }

  function frame(box) {
    var query = new URLSearchParams({
      page: box.getAttribute("data-page") || canonical(),
      title: box.getAttribute("data-title") || document.title,
      theme: box.getAttribute("data-theme") || "auto"
    });
    var accent = box.getAttribute("data-accent");
    if (accent) query.set("accent", accent);
    var iframe = document.createElement("iframe");
    iframe.src = forum + "/embed/thread/?" + query;
    iframe.title = box.getAttribute("data-frame-title") || "Comments";
    iframe.style.cssText = "display:block;width:100%;border:0;min-height:12rem;color-scheme:normal";
    iframe.setAttribute("scrolling", "no");
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.origin !== forum || event.source !== iframe.contentWindow) return;
      if (!data || data.source !== "forum-embed") return;
      if (data.type === "height" && data.height > 0 && data.height < 1e6) {
        iframe.style.height = Math.round(data.height) + "px";
      } else if (data.type === "scroll" && data.top >= 0) {
        window.scrollTo(0, iframe.getBoundingClientRect().top + window.scrollY + data.top);
      }
    });
    iframe.addEventListener("load", function () {
      iframe.contentWindow.postMessage({ type: "hello" }, forum);
    });
    box.textContent = "";
    box.appendChild(iframe);
  }

  function counts() {
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-count]"));
    var pages = {};
    links.forEach(function (el) {
      var page = el.getAttribute("data-count") || el.href;
      if (page) { page = new URL(page, location.href).href; pages[page] = true; el._forumPage = page; }
    });
    var list = Object.keys(pages).slice(0, 100);
    if (!list.length || !window.fetch) return;
    var query = list.map(function (p) { return "page=" + encodeURIComponent(p); }).join("&");
    fetch(forum + "/embed/counts/?" + query, { credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) {
        if (!result) return;
        links.forEach(function (el) {
          var found = result.pages[el._forumPage];
          if (found) el.textContent = found.text;
        });
      })
      .catch(function () {});
  }

  function start() {
    var box = document.getElementById("forum-comments");
    if (box) frame(box);
    counts();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
