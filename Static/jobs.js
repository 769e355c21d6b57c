// The live job list (#jobs on the index and /jobs pages): kept current by the WebSocket
// (socket.js) when there is one, else by Server-Sent Events from /jobs/events. A snapshot
// rebuilds the table (on connect and after Redis reconnects); each job notice updates its row
// or adds it at the top. Without JavaScript the table is as the server rendered it. A page the
// server refuses a socket (the visitor has too many open) follows the event stream instead, and
// says why.
(function () {
  "use strict";
  var body = document.querySelector("#jobs tbody");
  var live = document.getElementById("live-status");
  if (!body) { return; }

  function percent(job, row) {
    if (job.state === "SUCCESS") { return 100; }
    if (job.total > 0) { return Math.round(100 * (job.current || 0) / job.total); }
    var bar = row && row.querySelector("progress");
    return bar ? bar.value : 0;  // a notice without progress keeps the bar where it was
  }
  function render(row, job) {
    var value = percent(job, row);
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
    bar.value = value;
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
  function snapshot(jobs) {
    body.innerHTML = "";
    for (var i = jobs.length - 1; i >= 0; i--) { upsert(jobs[i]); }
    connected(true);
  }
  function connected(yes) {
    if (!live) { return; }
    var tooMany = live.getAttribute("data-fallback") === "too_many_sockets";
    live.textContent = !yes ? "Reconnecting…"
      : tooMany ? "Updates live (over a slower stream: too many tabs of this site are open)." : "Updates live.";
    live.setAttribute("data-connected", yes ? "true" : "false");
    live.hidden = false;  // (hidden as rendered: without a live connection it would not be true)
  }

  var source = null;
  function eventStream(why) {
    if (source || !window.EventSource) { return; }
    if (live) {
      live.setAttribute("data-transport", "event-stream");
      if (why) { live.setAttribute("data-fallback", why); }
    }
    source = new EventSource("/jobs/events");
    source.addEventListener("snapshot", function (event) { snapshot(JSON.parse(event.data)); });
    source.addEventListener("job", function (event) { upsert(JSON.parse(event.data)); });
    source.onerror = function () { connected(false); };
  }

  if (!window.GreeterSocket) { eventStream(); return; }
  // The socket, unless it never works (a proxy that drops WebSockets): after two attempts that
  // ended without a snapshot the list follows the event stream instead; and at once when the
  // server refuses this page a socket.
  var worked = false;
  var failures = 0;
  if (live) { live.setAttribute("data-transport", "websocket"); }
  window.GreeterSocket.on("refused", function () { eventStream("too_many_sockets"); });
  window.GreeterSocket.on("snapshot", function (jobs) { worked = true; if (!source) { snapshot(jobs); } });
  window.GreeterSocket.on("job", function (job) { if (!source) { upsert(job); } });
  window.GreeterSocket.on("close", function () {
    if (source) { return; }
    connected(false);
    if (!worked && ++failures >= 2) { eventStream(); }
  });
})();
