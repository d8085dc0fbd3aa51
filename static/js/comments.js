// Progressive enhancement for the discussion (issue #5). Everything here also works without it:
// "Reply" links, the form and permalinks are plain HTML; this script only makes them smoother.
(function () {
  "use strict";

  // Django's JavaScript catalog (#27, loaded before this script) defines gettext, ngettext and
  // interpolate in the page's language; without it the words stay English.
  var gettext = window.gettext || function (s) { return s; };
  var ngettext = window.ngettext || function (s, p, n) { return n === 1 ? s : p; };
  var interpolate = window.interpolate || function (f, o) {
    return f.replace(/%\((\w+)\)s/g, function (m, k) { return String(o[k]); });
  };

  var discussion = document.getElementById("comments");
  var respond = document.getElementById("respond");
  if (!discussion) return;
  var form = respond && respond.querySelector("form.comment-form");
  var STORE = "forum:collapsed";

  // Inline replies: move the one comment form under the comment being answered.
  function replyTitle() { return respond.querySelector("#reply-title"); }
  var home = respond && respond.parentNode;
  var homeNext = respond && respond.nextSibling;
  var defaultTitle = replyTitle() && replyTitle().getAttribute("data-default");

  function cancelLink() {
    var link = respond.querySelector(".cancel-reply");
    if (!link) {
      var p = document.createElement("p");
      link = document.createElement("a");
      link.className = "cancel-reply";
      link.href = "#respond";
      link.textContent = gettext("Cancel reply");
      p.appendChild(link);
      replyTitle().insertAdjacentElement("afterend", p);
    }
    return link;
  }

  var replyLink = null; // the "Reply" that moved the form: Cancel gives it the focus back (#24)
  function replyTo(id, name, comment, link) {
    replyLink = link || null;
    form.elements.parent.value = id;
    replyTitle().textContent = interpolate(gettext("Reply to %(name)s"), { name: name }, true);
    cancelLink().parentNode.hidden = false;
    form.querySelector("button[type=submit]").textContent = gettext("Post Reply");
    comment.insertAdjacentElement("afterend", respond);
    form.elements.body.focus();
  }

  function cancelReply() {
    form.elements.parent.value = "";
    replyTitle().textContent = defaultTitle;
    cancelLink().parentNode.hidden = true;
    form.querySelector("button[type=submit]").textContent = gettext("Post Comment");
    home.insertBefore(respond, homeNext);
    if (replyLink && document.contains(replyLink)) replyLink.focus();
    else form.elements.body.focus();
    replyLink = null;
  }

  if (form) {
    discussion.addEventListener("click", function (event) {
      var reply = event.target.closest("a.reply");
      if (reply) {
        event.preventDefault();
        replyTo(reply.dataset.replyTo, reply.dataset.author, reply.closest("article.comment"), reply);
      } else if (event.target.closest("a.cancel-reply")) {
        event.preventDefault();
        cancelReply();
      }
    });
  }

  // Collapse and expand threads; the choice survives a reload.
  function collapsed() {
    try { return JSON.parse(localStorage.getItem(STORE)) || []; } catch (e) { return []; }
  }
  function remember(id, isCollapsed) {
    var ids = collapsed().filter(function (x) { return x !== id; });
    if (isCollapsed) ids.push(id);
    try { localStorage.setItem(STORE, JSON.stringify(ids.slice(-500))); } catch (e) { /* full or private */ }
  }
  function setCollapsed(item, button, isCollapsed) {
    var replies = item.querySelectorAll(".comment-list .comment-item").length;
    item.classList.toggle("collapsed", isCollapsed);
    button.setAttribute("aria-expanded", String(!isCollapsed));
    // Words, not "[–]" and "[+]" (#24).
    var words = isCollapsed
      ? ngettext("Show %(count)s reply", "Show %(count)s replies", replies)
      : ngettext("Hide %(count)s reply", "Hide %(count)s replies", replies);
    button.textContent = interpolate(words, { count: replies }, true);
  }
  function setUpToggles() {
  var saved = collapsed();
  discussion.querySelectorAll(".comment-item").forEach(function (item) {
    var children = item.querySelector(":scope > .comment-list");
    var comment = item.querySelector(":scope > article.comment");
    if (!children || !comment || comment.querySelector(".toggle")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "toggle";
    button.setAttribute("aria-controls", children.id = children.id || comment.id + "-replies");
    var place = comment.querySelector(".comment-actions, .placeholder, .ping-line");
    place.insertBefore(button, place.querySelector(":scope > .more-actions"));
    setCollapsed(item, button, saved.indexOf(comment.id) !== -1);
    button.addEventListener("click", function () {
      var isCollapsed = !item.classList.contains("collapsed");
      setCollapsed(item, button, isCollapsed);
      remember(comment.id, isCollapsed);
    });
  });
  }
  setUpToggles();

  // "N more replies" (#17): the whole thread in place of the page's shorter one. Without this
  // script the link opens the thread's page at its first hidden reply.
  discussion.addEventListener("click", function (event) {
    var more = event.target.closest(".more-replies a[data-replies-url]");
    if (!more || !window.fetch) return;
    event.preventDefault();
    var item = more.closest("li.comment-item");
    var first = more.hash.slice(1);
    more.setAttribute("aria-busy", "true");
    fetch(more.dataset.repliesUrl, { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw response; return response.text(); })
      .then(function (text) {
        var holder = document.createElement("template");
        holder.innerHTML = text.trim();
        var whole = holder.content.firstElementChild;
        if (!whole) throw text;
        item.replaceWith(whole);
        setUpToggles();
        showOwnVotes();
        markNew();
        var target = document.getElementById(first);
        if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
      })
      .catch(function () { window.location.href = more.href; });
  });

  // Permalinks: show the comment, even inside a collapsed thread, and highlight it.
  function highlight() {
    var match = /^#comment-\d+$/.test(location.hash) && document.querySelector(location.hash);
    if (!match) return;
    discussion.querySelectorAll(".highlight").forEach(function (el) { el.classList.remove("highlight"); });
    for (var item = match.closest(".comment-item.collapsed"); item; item = item.parentNode.closest(".comment-item.collapsed")) {
      item.querySelector(":scope > article .toggle").click();
    }
    match.classList.add("highlight");
    match.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", highlight);

  // A confirmation ("Your comment was changed.", "Your vote was counted.") comes with a
  // redirect to what it is about: show it there, where the reader is, rather than at the top
  // of the page (#24). Without this script it sticks to the top of the window instead.
  function placeMessages() {
    var messages = document.querySelector("main > .messages");
    var hash = location.hash;
    var target = /^#comment-\d+$/.test(hash) ? document.querySelector(hash)
      : hash === "#comments" ? discussion.querySelector("#comments-title") : null;
    if (!messages || !target) return;
    messages.classList.add("in-place");
    target.insertAdjacentElement("afterend", messages);
  }
  placeMessages();
  highlight();

  // Votes without a reload (#16): the score changes in place, the button shows it is pressed.
  // The page is cached for everyone, so this reader's own votes come from a small request.
  function pressVotes(id, value) {
    discussion.querySelectorAll('button[form=votes][value^="' + id + ':"]').forEach(function (button) {
      var up = button.value.slice(-3) === ":up";
      button.setAttribute("aria-pressed", (up && value === 1) || (!up && value === -1) ? "true" : "false");
    });
  }
  function showOwnVotes() {
    var buttons = discussion.querySelectorAll("button[form=votes]");
    if (!discussion.dataset.votesUrl || !buttons.length) return;
    buttons.forEach(function (button) { button.setAttribute("aria-pressed", "false"); });
    fetch(discussion.dataset.votesUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { votes: {} }; })
      .then(function (result) {
        Object.keys(result.votes).forEach(function (id) { pressVotes(id, result.votes[id]); });
      })
      .catch(function () {});
  }
  showOwnVotes();

  // What is new since this browser's last visit to the article (kept in localStorage only).
  var SEEN = "forum:seen:" + discussion.dataset.article;
  var lastSeen = null;
  try { lastSeen = localStorage.getItem(SEEN); } catch (e) { /* private mode */ }
  function markNew() {
    var ids = [];
    discussion.querySelectorAll("article.comment[id^=comment-]").forEach(function (comment) {
      var id = Number(comment.id.slice(8));
      ids.push(id);
      // One's own comment is not news to its writer (#24).
      var own = comment.classList.contains("own");
      if (lastSeen !== null && id > Number(lastSeen) && !own && !comment.classList.contains("is-new")) {
        comment.classList.add("is-new");
        var badge = document.createElement("span");
        badge.className = "badge new-badge";
        badge.textContent = gettext("new");
        var meta = comment.querySelector(".comment-meta");
        if (meta) meta.insertBefore(badge, meta.querySelector(".permalink"));
      }
    });
    var newest = Math.max.apply(null, ids.concat([Number(lastSeen) || 0]));
    try { localStorage.setItem(SEEN, String(newest)); } catch (e) { /* full or private */ }
    var fresh = discussion.querySelectorAll("article.is-new");
    var next = discussion.querySelector("button.next-new");
    if (fresh.length && !next) {
      next = document.createElement("button");
      next.type = "button";
      next.className = "next-new secondary";
      next.addEventListener("click", function () {
        var all = Array.prototype.slice.call(discussion.querySelectorAll("article.is-new"));
        var after = all.filter(function (c) { return c.getBoundingClientRect().top > 5; })[0] || all[0];
        after.scrollIntoView({ block: "start" });
        after.focus && after.setAttribute("tabindex", "-1");
        after.focus({ preventScroll: true });
      });
      discussion.querySelector("#comments-title").insertAdjacentElement("afterend", next);
    }
    if (next) {
      next.textContent = interpolate(gettext("Next new comment (%(count)s)"), { count: fresh.length }, true);
      next.hidden = !fresh.length;
    }
  }
  markNew();

  // Live updates: while the tab is visible, ask every 30 s how many comments there are (one
  // cheap answer, the same for every reader) and offer to show the new ones.
  var liveUrl = discussion.dataset.liveUrl;
  var banner = null;
  function showBanner(n) {
    if (!banner) {
      banner = document.createElement("p");
      banner.className = "live-banner";
      banner.setAttribute("role", "status");
      var text = document.createElement("span");
      var show = document.createElement("button");
      show.type = "button";
      show.className = "secondary";
      show.textContent = gettext("Show");
      show.addEventListener("click", showNewComments);
      banner.appendChild(text);
      banner.appendChild(document.createTextNode(" · "));
      banner.appendChild(show);
    }
    banner.firstChild.textContent = interpolate(ngettext("%(count)s new comment", "%(count)s new comments", n), { count: n }, true);
    var place = bannerPlace();
    place[0].insertAdjacentElement(place[1], banner);
  }
  // Where the reader is (#24): above the form while they are at it (typing, or it is in view),
  // else above the first comment in view, else under the heading.
  function inView(el) {
    var box = el.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }
  function bannerPlace() {
    var title = discussion.querySelector("#comments-title");
    if (respond && (respond.contains(document.activeElement) || inView(respond))) {
      return [respond, "beforebegin"];
    }
    if (inView(title)) return [title, "afterend"];
    var first = Array.prototype.find.call(discussion.querySelectorAll("article.comment[id]"), function (c) {
      var top = c.getBoundingClientRect().top;
      return top >= 0 && top < window.innerHeight;  // begins in view: the banner shows above it
    });
    return first ? [first, "beforebegin"] : [title, "afterend"];
  }
  function poll() {
    if (document.hidden) return;
    fetch(liveUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) {
        var known = Number(discussion.dataset.count || 0);
        if (result && result.count > known) showBanner(result.count - known);
      })
      .catch(function () {});
  }
  function showNewComments() {
    // Keep the reader's place: the first comment in view stays where it is on the screen.
    var anchor = null, offset = 0;
    discussion.querySelectorAll("article.comment[id]").forEach(function (c) {
      var top = c.getBoundingClientRect().top;
      if (anchor === null && top >= 0) { anchor = c.id; offset = top; }
    });
    var replyingTo = form && form.elements.parent.value;
    fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("comments");
        if (!fresh) return;
        if (respond && respond.parentNode !== home) home.insertBefore(respond, homeNext);
        Array.prototype.slice.call(discussion.childNodes).forEach(function (node) {
          if (node !== respond) discussion.removeChild(node);
        });
        Array.prototype.slice.call(fresh.childNodes).forEach(function (node) {
          if (node.id !== "respond") discussion.insertBefore(document.importNode(node, true), respond);
        });
        discussion.dataset.count = fresh.dataset.count;
        banner = null;
        setUpToggles();
        showOwnVotes();
        markNew();
        if (replyingTo) {
          var link = discussion.querySelector('a.reply[data-reply-to="' + replyingTo + '"]');
          if (link) replyTo(replyingTo, link.dataset.author, link.closest("article.comment"), link);
        }
        var back = anchor && document.getElementById(anchor);
        if (back) window.scrollBy(0, back.getBoundingClientRect().top - offset);
      })
      .catch(function () {});
  }
  if (liveUrl && window.fetch) {
    setInterval(poll, window.forumLiveInterval || 30000);
    document.addEventListener("visibilitychange", poll);
  }
  discussion.addEventListener("submit", function (event) {
    var voting = event.target;
    if (voting.id !== "votes" || !window.fetch || !event.submitter) return;
    event.preventDefault();
    var button = event.submitter;
    var id = button.value.split(":")[0];
    var data = new FormData(voting);
    data.set("vote", button.value);
    button.disabled = true;
    fetch(voting.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" }
    })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (result.error) { window.alert(result.error); return; }
        pressVotes(id, result.vote);
        var score = button.parentNode.querySelector(".score");
        if (score) score.textContent = result.score ? interpolate(ngettext("%(score)s point", "%(score)s points", Math.abs(result.score)), { score: result.score }, true) : "";
      })
      .catch(function () {})
      .then(function () { button.disabled = false; });
  });

  if (!form) return;

  // The character count and "Preview" come from compose.js, which the edit page shares.
  var submit = form.querySelector("button[type=submit]");

  // One click, one comment: the server refuses duplicates as well.
  var submitLabel = submit.textContent;
  form.addEventListener("submit", function () {
    submitLabel = submit.textContent;
    submit.disabled = true;
    submit.textContent = gettext("Posting…");
  });
  window.addEventListener("pageshow", function () { // back from the next page
    submit.disabled = false;
    submit.textContent = submitLabel;
  });
})();
