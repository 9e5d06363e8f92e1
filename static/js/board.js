/* The today board keeps itself current: it asks for its live part every few seconds (a 304 when
   nothing changed) and sends the front desk's actions without leaving the page. Without
   JavaScript the forms post and the page reloads as usual. */
(function () {
  "use strict";
  var board = document.getElementById("board");
  var notices = document.getElementById("board-notices");
  if (!board || !window.fetch) { return; }
  var url = board.getAttribute("data-live-url");
  var etag = board.getAttribute("data-etag");
  var every = Math.max(1, Number(board.getAttribute("data-refresh-seconds")) || 20) * 1000;
  var busy = false;

  function show(html, tag) {
    board.innerHTML = html;
    if (tag) { etag = tag; }
    var notice = board.querySelector("[data-notice]");
    if (notice) {
      notices.replaceChildren(notice);
      notice.focus();
    }
  }

  // Someone half-way through an action (the escort box ticked, a hold's reason typed, focus on a
  // button) keeps their form: a refresh would wipe what they put in it.
  function working() {
    var active = document.activeElement;
    var typed = Array.prototype.some.call(board.querySelectorAll("input[name=reason]"),
                                          function (field) { return field.value.trim() !== ""; });
    return (active && board.contains(active) && active.closest("form")) ||
      board.querySelector("input[type=checkbox]:checked") || typed;
  }

  function refresh() {
    if (busy || document.hidden || working()) { return; }
    busy = true;
    fetch(url, { cache: "no-store", credentials: "same-origin", headers: { "If-None-Match": etag } })
      .then(function (response) {
        if (response.status !== 200) { return null; }
        return response.text().then(function (html) { show(html, response.headers.get("ETag")); });
      })
      .catch(function () { /* offline for a moment: the next tick tries again */ })
      .then(function () { busy = false; });
  }

  function plainly(form, submitter) {
    form.setAttribute("data-plain", "");
    form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
  }

  board.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-plain")) { return; }  // the fallback below: an ordinary post
    event.preventDefault();
    var submitter = event.submitter;
    busy = true;
    var data = new FormData(form);
    // The button pressed names the action; FormData leaves it out unless told.
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin",
                         headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        // 200 done, 409 refused, 422 not understood: each comes back as the board's live part.
        if ([200, 409, 422].indexOf(response.status) < 0) {
          plainly(form, submitter);  // let the server's full page say what went wrong
          return null;
        }
        return response.text().then(function (html) { show(html, response.headers.get("ETag")); });
      })
      .catch(function () { plainly(form, submitter); })
      .then(function () { busy = false; });
  });

  window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });
}());
