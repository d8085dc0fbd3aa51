// Members sign in to the frame through a popup (#30; embed/signins.py says why). "Sign in"
// asks the server for a sign-in (a token and a secret only this script holds), opens forum's
// own page for the token in a popup, where the member signs in as usual and says yes, and then
// trades token and secret for the frame's own session: when the popup says it is done (if its
// link to us survived), when the reader comes back here, and every two seconds meanwhile.
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  var link = document.querySelector("#respond a.sign-in");
  if (!link || !window.fetch) return;
  var status = document.createElement("p");
  status.className = "form-note sign-in-status";
  status.setAttribute("role", "status");
  link.closest("p").insertAdjacentElement("afterend", status);
  var current = null; // the sign-in under way: token, secret, where to trade it, until when
  var busy = false;
  var timer = null;

  function say(text, address) {
    status.textContent = text;
    if (address) { // the popup was blocked: a link the reader follows opens it
      var open = document.createElement("a");
      open.href = address;
      open.target = "forum-sign-in";
      open.textContent = gettext("Open the sign-in window");
      status.appendChild(document.createTextNode(" "));
      status.appendChild(open);
    }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        data.code = response.status;
        return data;
      });
    });
  }

  function finish() {
    if (!current || busy) return;
    var asked = current;
    clearTimeout(timer);
    if (Date.now() > asked.until) {
      current = null;
      say(gettext("The sign-in has expired. Press “Sign in” again."));
      return;
    }
    busy = true;
    post(asked.finish, new URLSearchParams({ token: asked.token, secret: asked.secret }))
      .then(function (data) {
        busy = false;
        if (data.code === 202) { timer = setTimeout(finish, 2000); return; }
        current = null;
        if (data.code === 200) {
          say(gettext("Signed in. Loading the comments…"));
          window.location.reload();
        } else {
          say(data.error || gettext("Signing in failed. Press “Sign in” again."));
        }
      })
      .catch(function () { busy = false; timer = setTimeout(finish, 4000); });
  }

  link.addEventListener("click", function (event) {
    event.preventDefault();
    // Opened now, while the click lets a script open a window; given its address below.
    var popup = window.open("", "forum-sign-in", "popup,width=520,height=680");
    say(gettext("Opening the sign-in window…"));
    post(link.href, null).then(function (data) {
      if (data.code !== 201) {
        if (popup) popup.close();
        say(data.error || gettext("Signing in failed. Press “Sign in” again."));
        return;
      }
      current = {
        token: data.token, secret: data.secret, finish: data.finish,
        until: Date.now() + data.seconds * 1000
      };
      if (popup && !popup.closed) {
        popup.location.href = data.popup;
        say(gettext("Sign in in the window that opened, then come back here."));
      } else {
        say(gettext("Your browser blocked the sign-in window."), data.popup);
      }
      timer = setTimeout(finish, 2000);
    }).catch(function () {
      if (popup) popup.close();
      say(gettext("Signing in failed. Press “Sign in” again."));
    });
  });

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== location.origin || !current || !data) return;
    if (data.source === "forum-sign-in" && data.token === current.token) finish();
  });
  window.addEventListener("focus", finish);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) finish(); });
})();
