// The wait page: polls /status/<id> about every 500 ms, moves the bar, and goes on to the result.
(function () {
  "use strict";
  var section = document.getElementById("wait");
  if (!section) { return; }
  var id = section.getAttribute("data-id");
  function show(job) {
    var bar = document.getElementById("bar");
    bar.value = job.total > 0 ? Math.round(100 * job.current / job.total) : 0;
    document.getElementById("current").textContent = job.current;
    document.getElementById("total").textContent = job.total;
    document.getElementById("status").textContent = job.status;
    section.setAttribute("data-state", job.state);
  }
  function poll() {
    fetch("/status/" + encodeURIComponent(id), { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (job) {
        show(job);
        if (job.state === "SUCCESS") { window.location.assign("/result/" + encodeURIComponent(id)); return; }
        if (job.state === "FAILURE" || job.state === "REVOKED") {
          document.getElementById("status").className = "error";
          document.getElementById("failed-help").hidden = false;
          return;
        }
        setTimeout(poll, 500);
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 500);
})();
