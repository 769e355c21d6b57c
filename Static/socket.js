// The greeter's WebSocket (/ws): server calls that answer promises, pushed job notices, and
// elements bound to values with data-bind. No framework; the pages work without it.
//
//   GreeterSocket.call("jobStatus", {id: "…"}).then(function (job) { … }, function (error) { error.code … });
//   GreeterSocket.on("job", function (job) { … });        // pushes: "job", "snapshot", "open", "close"
//   <span data-bind="serverInfo.workers"></span>           // filled from serverInfo's result
//
// A call is a message {id, call, args}; the answer carries the same id, so answers may come in
// any order. Each call has a timeout. The socket reconnects with backoff (0.5 s doubling to 10 s);
// a call made while it is down waits for the next attempt, and is rejected if that fails or the
// socket drops before the answer.
(function () {
  "use strict";
  if (!window.WebSocket || !window.Promise) { return; }

  var socket = null;
  var open = false;
  var nextId = 1;
  var pending = {};      // id -> {resolve, reject, timer}
  var waiting = [];      // messages to send once open
  var listeners = {};    // event -> [fn]
  var backoff = 500;

  function emit(event, value) {
    (listeners[event] || []).forEach(function (fn) {
      try { fn(value); } catch (e) { if (window.console) { console.error(e); } }
    });
  }

  // Fills every [data-bind="name.path"] with the value at path in `value`.
  function bind(name, value) {
    var elements = document.querySelectorAll('[data-bind^="' + name + '."]');
    for (var i = 0; i < elements.length; i++) {
      var path = elements[i].getAttribute("data-bind").split(".").slice(1);
      var found = value;
      for (var j = 0; j < path.length && found !== undefined && found !== null; j++) { found = found[path[j]]; }
      if (found === undefined) { continue; }
      elements[i].textContent = (found === null) ? "" : String(found);
      elements[i].setAttribute("data-bound", "true");
      var panel = elements[i].closest("[data-bind-panel]");
      if (panel) { panel.hidden = false; }
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(scheme + "//" + window.location.host + "/ws");
    socket.onopen = function () {
      open = true;
      backoff = 500;
      var queued = waiting;
      waiting = [];
      queued.forEach(function (text) { socket.send(text); });
      emit("open");
    };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.id !== undefined && data.id !== null) {
        var call = pending[data.id];
        if (!call) { return; }  // timed out already
        delete pending[data.id];
        clearTimeout(call.timer);
        if (data.error) { call.reject(data.error); } else { bind(call.name, data.result); call.resolve(data.result); }
      } else if (data.event === "job") {
        emit("job", data.job);
      } else if (data.event === "snapshot") {
        emit("snapshot", data.jobs);
      } else if (data.error) {
        emit("error", data.error);
      }
    };
    socket.onclose = function () {
      open = false;
      waiting = [];  // their calls are rejected just below
      Object.keys(pending).forEach(function (id) {
        clearTimeout(pending[id].timer);
        pending[id].reject({ code: "disconnected", message: "The connection was lost." });
        delete pending[id];
      });
      emit("close");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }

  function call(name, args, timeoutMs) {
    return new Promise(function (resolve, reject) {
      var id = nextId++;
      var timer = setTimeout(function () {
        delete pending[id];
        reject({ code: "timeout", message: name + " did not answer in time." });
      }, timeoutMs || 10000);
      pending[id] = { name: name, resolve: resolve, reject: reject, timer: timer };
      var text = JSON.stringify({ id: id, call: name, args: args || {} });
      if (open) { socket.send(text); } else { waiting.push(text); }
    });
  }

  function on(event, fn) { (listeners[event] = listeners[event] || []).push(fn); }

  window.GreeterSocket = { call: call, on: on, bind: bind, isOpen: function () { return open; } };

  // Pages with serverInfo bindings keep them fresh: on connect, after each job notice (at most
  // once a second), and every 10 s.
  if (document.querySelector('[data-bind^="serverInfo."]')) {
    var scheduled = false;
    var refresh = function () {
      if (scheduled) { return; }
      scheduled = true;
      setTimeout(function () { scheduled = false; call("serverInfo").catch(function () {}); }, 1000);
    };
    on("open", function () { call("serverInfo").catch(function () {}); });
    on("job", refresh);
    setInterval(function () { if (open) { call("serverInfo").catch(function () {}); } }, 10000);
  }
  connect();
})();
