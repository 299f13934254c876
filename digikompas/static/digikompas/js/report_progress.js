// Follow the build without reloading the page: fetch it again and swap in the status when it
// changed (the live region then announces only real changes), until the report is finished.
// The page says how often to look in data-refresh (seconds) on #report-state.
(function () {
  var state = document.getElementById("report-state");
  if (!state || !state.dataset.refresh) { return; }
  var every = Number(state.dataset.refresh) * 1000;
  function poll() {
    fetch(window.location.href, {credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("report-state");
        var here = document.getElementById("report-state");
        if (!fresh || !here) { return; }
        if (fresh.innerHTML !== here.innerHTML) {
          here.innerHTML = fresh.innerHTML;
          here.dataset.finished = fresh.dataset.finished;
        }
        if (fresh.dataset.finished !== "true") { setTimeout(poll, every); }
      })
      .catch(function () { setTimeout(poll, every * 5); });
  }
  setTimeout(poll, every);
})();
