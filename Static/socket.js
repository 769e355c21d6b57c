// The greeter's WebSocket (/ws): server calls that answer promises, pushed job notices, and
// elements bound to values with data-bind. No framework; the pages work without it.
//
//   GreeterSocket.call("jobStatus", {id: "…"}).then(function (job) { … }, function (error) { error.code … });
//   GreeterSocket.on("job", function (job) { … });        // pushes: "job", "snapshot", "open", "close", "refused"
//   <span data-bind="serverInfo.workers"></span>           // filled from serverInfo's result
//
// A call is a message {id, call, args}; the answer carries the same id, so answers may come in
// any order. At most 16 calls are on the wire at once (the server closes a socket that has more):
// the rest wait here and go as answers come back. Each call has a timeout: 10 s, or for
// waitForJob the server's wait plus 10 s. The socket reconnects with backoff (0.5 s doubling to
// 10 s), reset only once a socket has proved itself (its snapshot came, or it stayed open 5 s), so
// a server that accepts and at once closes is not hammered. A call made while the socket is down
// waits for the next attempt, and is rejected if that fails or the socket drops before the answer.
// When the server refuses this page a socket because the visitor has too many open
// (1008 too_many_sockets), it gives up: calls are rejected and "refused" is emitted (jobs.js
// then follows the event stream).
(function () {
  "use strict";
  if (!window.WebSocket || !window.Promise) { return; }

  var MAX_IN_FLIGHT = 16;      // SocketLimits.callsInFlight on the server
  var PROVEN_AFTER_MS = 5000;  // an open socket this old has proved itself
  var socket = null;
  var open = false;
  var refused = null;    // {code, message} once the server refused this page a socket for good
  var lastError = null;  // the last error without a call id (the reason sent before a policy close)
  var nextId = 1;
  var pending = {};      // id -> {name, resolve, reject, timer}: calls not answered yet
  var queue = [];        // [{id, text}] not sent yet (socket down, or 16 on the wire)
  var onWire = {};       // ids sent on this socket and not answered (a timed-out call still holds its server slot)
  var onWireCount = 0;
  var listeners = {};    // event -> [fn]
  var backoff = 500;
  var provenTimer = null;

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

  function proven() {
    backoff = 500;
    if (provenTimer) { clearTimeout(provenTimer); provenTimer = null; }
  }

  // Sends queued calls while fewer than MAX_IN_FLIGHT are unanswered.
  function pump() {
    while (open && onWireCount < MAX_IN_FLIGHT && queue.length > 0) {
      var next = queue.shift();
      if (!pending[next.id]) { continue; }  // timed out before it was sent: never sent
      onWire[next.id] = true;
      onWireCount++;
      socket.send(next.text);
    }
  }

  function rejectAll(reason) {
    queue = [];
    Object.keys(pending).forEach(function (id) {
      clearTimeout(pending[id].timer);
      pending[id].reject(reason);
      delete pending[id];
    });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    lastError = null;
    socket = new WebSocket(scheme + "//" + window.location.host + "/ws");
    socket.onopen = function () {
      open = true;
      provenTimer = setTimeout(proven, PROVEN_AFTER_MS);
      pump();
      emit("open");
    };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.id !== undefined && data.id !== null) {
        if (onWire[data.id]) { delete onWire[data.id]; onWireCount--; }
        var call = pending[data.id];
        if (call) {
          delete pending[data.id];
          clearTimeout(call.timer);
          if (data.error) { call.reject(data.error); } else { bind(call.name, data.result); call.resolve(data.result); }
        }  // else it timed out already
        pump();
      } else if (data.event === "job") {
        emit("job", data.job);
      } else if (data.event === "snapshot") {
        proven();
        emit("snapshot", data.jobs);
      } else if (data.error) {
        lastError = data.error;
        emit("error", data.error);
      }
    };
    socket.onclose = function (event) {
      open = false;
      if (provenTimer) { clearTimeout(provenTimer); provenTimer = null; }
      onWire = {};
      onWireCount = 0;
      var closing = { code: event.code, reason: event.reason };
      if (event.code === 1008 && event.reason === "too_many_sockets") {
        // Retrying cannot help until the visitor closes another page: stop here.
        refused = { code: "too_many_sockets",
                    message: (lastError && lastError.message) || "Too many pages of this site are open; close one." };
        rejectAll(refused);
        emit("refused", refused);
        emit("close", closing);
        return;
      }
      rejectAll({ code: "disconnected", message: "The connection was lost." });
      emit("close", closing);
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }

  // waitForJob waits on the server up to its `timeout` (default 30 s, at most 60): wait that
  // and 10 s more here. Any other call: 10 s.
  function defaultTimeout(name, args) {
    if (name === "waitForJob") {
      var wait = (args && typeof args.timeout === "number" && args.timeout >= 0) ? Math.min(args.timeout, 60) : 30;
      return (wait + 10) * 1000;
    }
    return 10000;
  }

  function call(name, args, timeoutMs) {
    return new Promise(function (resolve, reject) {
      if (refused) { reject(refused); return; }
      var id = nextId++;
      var timer = setTimeout(function () {
        delete pending[id];
        reject({ code: "timeout", message: name + " did not answer in time." });
      }, timeoutMs || defaultTimeout(name, args));
      pending[id] = { name: name, resolve: resolve, reject: reject, timer: timer };
      queue.push({ id: id, text: JSON.stringify({ id: id, call: name, args: args || {} }) });
      pump();
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
