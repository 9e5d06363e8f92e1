// Search as you type: after a short pause, ask the server for the list of matches (an HTML
// fragment) and put it in place; the form still submits normally without this script.
(function () {
  "use strict";
  var form = document.querySelector("form.patient-search");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[name=q]");
  var target = document.getElementById("patient-results");
  var url = form.getAttribute("data-results-url");
  var timer = null;
  var pending = null;

  function refresh() {
    var query = input.value;
    if (pending) { pending.abort(); }  // an older answer must not overwrite a newer one
    pending = new AbortController();
    target.setAttribute("aria-busy", "true");
    fetch(url + "?q=" + encodeURIComponent(query), {
      credentials: "same-origin", signal: pending.signal, headers: { "Accept": "text/html" }
    }).then(function (response) {
      // Signed out meanwhile: the answer is the sign-in page. Reload this page, which asks to sign in
      // and comes back here, rather than put a sign-in form among the results.
      if (response.redirected) { window.location.reload(); throw new Error("signed out"); }
      if (!response.ok) { throw new Error("search answered " + response.status); }
      return response.text();
    }).then(function (html) {
      target.innerHTML = html;
      target.removeAttribute("aria-busy");
      // Keep the address in step, so reload and back show the same search.
      var address = new URL(window.location.href);
      if (query) { address.searchParams.set("q", query); } else { address.searchParams.delete("q"); }
      window.history.replaceState(null, "", address.toString());
    }).catch(function (error) {
      if (error.name !== "AbortError") { target.removeAttribute("aria-busy"); }
    });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    refresh();
  });
}());
