// The live job list: Server-Sent Events from /jobs/events. A snapshot rebuilds the table (on
// connect and after a reconnect); each job notice updates its row or adds it at the top.
(function () {
  "use strict";
  var body = document.querySelector("#jobs tbody");
  var live = document.getElementById("live-status");
  if (!body || !window.EventSource) { return; }

  function percent(job) {
    if (job.state === "SUCCESS") { return 100; }
    return job.total > 0 ? Math.round(100 * (job.current || 0) / job.total) : 0;
  }
  function render(row, job) {
    row.setAttribute("data-id", job.id);
    row.innerHTML = "";
    var name = document.createElement("td");
    var link = document.createElement("a");
    link.href = "/wait/" + encodeURIComponent(job.id);
    link.textContent = job.task;
    name.appendChild(link);
    var state = document.createElement("td");
    state.className = "state";
    state.textContent = job.state;
    var progressCell = document.createElement("td");
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = percent(job);
    progressCell.appendChild(bar);
    row.appendChild(name);
    row.appendChild(state);
    row.appendChild(progressCell);
  }
  function upsert(job) {
    var row = body.querySelector('tr[data-id="' + job.id + '"]');
    if (!row) {
      row = document.createElement("tr");
      body.insertBefore(row, body.firstChild);
      var empty = document.getElementById("empty");
      if (empty) { empty.remove(); }
    }
    render(row, job);
  }

  var source = new EventSource("/jobs/events");
  source.addEventListener("snapshot", function (event) {
    var jobs = JSON.parse(event.data);
    body.innerHTML = "";
    for (var i = jobs.length - 1; i >= 0; i--) { upsert(jobs[i]); }
    live.textContent = "Updates live.";
    live.setAttribute("data-connected", "true");
  });
  source.addEventListener("job", function (event) { upsert(JSON.parse(event.data)); });
  source.onerror = function () {
    live.textContent = "Reconnecting…";
    live.setAttribute("data-connected", "false");
  };
})();
