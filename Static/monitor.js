// Petal monitor: the only script. Confirm dialogs for forms marked data-confirm, and the live
// dashboard: Server-Sent Events from /live update the cards and worker rows in place, with a
// pause switch. Every page works without it.
(function () {
  "use strict";
  var base = document.body.getAttribute("data-base") || "";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  var table = document.querySelector("#workers tbody");
  var toggle = document.getElementById("live-toggle");
  var state = document.getElementById("live-state");
  if (!table || !toggle || !window.EventSource) { return; }
  var fields = ["name", "status", "host", "concurrency", "active", "processed", "succeeded", "failed", "retried", "load", "heartbeat", "redis"];
  var source = null;

  function cell(row, field) { return row.querySelector('td[data-field="' + field + '"]'); }

  function fill(row, worker) {
    fields.forEach(function (field) {
      var td = cell(row, field);
      if (!td) {
        td = document.createElement("td");
        td.setAttribute("data-field", field);
        if (["concurrency", "active", "processed", "succeeded", "failed", "retried"].indexOf(field) >= 0) { td.className = "num"; }
        row.appendChild(td);
      }
      if (field === "name") {
        td.textContent = "";
        var link = document.createElement("a");
        link.href = worker.link;
        link.textContent = worker.name;
        td.appendChild(link);
      } else if (field === "status") {
        td.textContent = "";
        var badge = document.createElement("span");
        badge.className = "badge " + worker.status;
        badge.textContent = worker.status;
        td.appendChild(badge);
      } else {
        var value = String(worker[field]);
        if (td.textContent !== value) { td.textContent = value; }
      }
    });
  }

  function update(snapshot) {
    Object.keys(snapshot.totals).forEach(function (key) {
      var node = document.querySelector('[data-total="' + key + '"]');
      if (node) { node.textContent = String(snapshot.totals[key]); }
    });
    snapshot.workers.forEach(function (worker) {
      var row = null;
      table.querySelectorAll("tr[data-worker]").forEach(function (candidate) {
        if (candidate.getAttribute("data-worker") === worker.name) { row = candidate; }
      });
      if (!row) {
        // A new worker: only added on the first page of the default order, where it belongs.
        if (window.location.search.indexOf("offset=") >= 0) { return; }
        row = document.createElement("tr");
        row.setAttribute("data-worker", worker.name);
        table.insertBefore(row, table.firstChild);
        var empty = document.getElementById("no-workers");
        if (empty) { empty.remove(); }
      }
      fill(row, worker);
    });
  }

  function connect() {
    source = new EventSource(base + "/live");
    source.addEventListener("dashboard", function (event) {
      state.textContent = "(on)";
      state.setAttribute("data-state", "on");
      update(JSON.parse(event.data));
    });
    source.onerror = function () { state.textContent = "(reconnecting)"; state.setAttribute("data-state", "off"); };
  }

  function disconnect() {
    if (source) { source.close(); source = null; }
    state.textContent = "(paused)";
    state.setAttribute("data-state", "paused");
  }

  toggle.addEventListener("change", function () { if (toggle.checked) { connect(); } else { disconnect(); } });
  connect();
})();
