// The comment box on every page that has one (the article, a thread, the edit page; #24): a
// live character count under it and "Preview" through the server's own renderer. Without this
// script the form posts as it is.
(function () {
  "use strict";

  // Django's JavaScript catalog (#27, loaded before this script) defines gettext, ngettext and
  // interpolate in the page's language; without it the words stay English.
  var gettext = window.gettext || function (s) { return s; };
  var ngettext = window.ngettext || function (s, p, n) { return n === 1 ? s : p; };
  var interpolate = window.interpolate || function (f, o) {
    return f.replace(/%\((\w+)\)s/g, function (m, k) { return String(o[k]); });
  };

  document.querySelectorAll("form[data-preview-url]").forEach(function (form) {
    var body = form.elements.body;
    var submit = form.querySelector("button[type=submit]");
    if (body && submit) enhance(form, body, submit);
  });

  function enhance(form, body, submit) {
    // A refused comment: its page opens at what went wrong ("#form-errors" in the form's
    // action), which Chromium focuses; this does it in the other browsers (#24).
    var summary = form.querySelector("#form-errors");
    if (summary) summary.focus();

    // A live character counter under the comment box.
    var limit = Number(body.dataset.maxLength || 0);
    var lang = document.documentElement.lang || undefined;
    var counter = document.createElement("p");
    counter.className = "char-count";
    counter.setAttribute("aria-live", "polite");
    body.insertAdjacentElement("afterend", counter);
    function count() {
      var n = body.value.length;
      counter.textContent = interpolate(gettext("%(count)s / %(limit)s characters"), { count: n.toLocaleString(lang), limit: limit.toLocaleString(lang) }, true);
      counter.classList.toggle("over", n > limit);
    }
    body.addEventListener("input", count);
    count();

    // Preview through the server's own renderer.
    var preview = document.createElement("div");
    preview.className = "comment-preview";
    preview.hidden = true;
    preview.setAttribute("aria-live", "polite");
    var previewButton = document.createElement("button");
    previewButton.type = "button";
    previewButton.className = "secondary";
    previewButton.textContent = gettext("Preview");
    submit.insertAdjacentElement("afterend", previewButton);
    submit.parentNode.insertAdjacentElement("beforebegin", preview);
    previewButton.addEventListener("click", function () {
      var data = new FormData();
      data.append("body", body.value);
      // Pages for readers without a session carry no token: the browser's Origin header vouches.
      if (form.elements.csrfmiddlewaretoken) data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      previewButton.disabled = true;
      fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (result) {
          preview.hidden = false;
          preview.innerHTML = "";
          var heading = document.createElement("h" + (form.dataset.previewLevel || "3"));
          heading.textContent = result.error ? gettext("Preview not available") : gettext("Preview");
          preview.appendChild(heading);
          var content = document.createElement("div");
          if (result.error) content.textContent = result.error;
          else content.innerHTML = result.html; // sanitised by the server, as when it is posted
          preview.appendChild(content);
        })
        .catch(function () { preview.hidden = false; preview.textContent = gettext("Preview failed; try again."); })
        .then(function () { previewButton.disabled = false; });
    });
  }
})();
