// Chalkboard TV connection: the one WebSocket a TV keeps to the server (docs/protocol.md,
// "Heartbeats and reconnects"): the hello, pings and the clock samples their pongs give,
// noticing a dead socket, and reconnecting with full jitter. What the messages mean is
// tv.js's business: it gets each parsed message, and is told when the socket is gone.
//
// Dev/test only: `/tv?ws=ws://127.0.0.1:PORT/` connects to another protocol server. In
// production the page's CSP allows only the site's own origin, so it cannot be misused.
//
// ES5 for old TV browsers, like tv.js. Exposes window.ChalkboardConnection.
(function (exports) {
  "use strict";

  var PING_MS = 25000;           // the protocol's TV heartbeat
  var SILENCE_MS = 60000;        // heard nothing this long: the socket is dead, reconnect
  var STABLE_MS = 10000;         // a connection that lasted this long resets the backoff
  var BACKOFF_BASE_MS = 500;
  var BACKOFF_CAP_MS = 30000;
  var RESTART_CAP_MS = 5000;     // for a minute after a 1012 the service is coming back:
  var RESTART_WINDOW_MS = 60000; // keep retrying within 5 s instead of backing off to 30 s
  // A socket cut without a close (1006: a load balancer or a task gone) was most likely cut
  // for every TV on it at once: the first retry is spread over 10 s, so they do not all land
  // on the surviving tasks in the same second (a task takes back ~1,200 TVs a second).
  var ABNORMAL_SPREAD_MS = 10000;

  function socketUrl() {
    var override = /[?&]ws=([^&]+)/.exec(window.location.search);
    if (override) {
      var url = decodeURIComponent(override[1]);
      if (/^wss?:\/\//.test(url)) return url;
    }
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + "/tv/ws";
  }

  // Connects now and keeps connected. `app` says what the connection needs:
  //   hello()          the hello message to send when a socket opens
  //   receive(message) every message but `pong`, parsed
  //   pong(changed)    a pong came; `changed`: it moved `app.clock` (a schedule.js Clock)
  //   dropped(code)    the socket is gone (its close code; 1006 when cut), before the retry
  // Returns {abandon}: drop the socket now without waiting for a close handshake.
  function start(app) {
    var socket = null;
    var reconnectTimer = null;
    var attempt = 0;
    var restartingUntil = 0;
    var openedAt = 0;
    var lastHeard = 0;
    var pingsSent = [];                  // when each unanswered ping left (pongs come in order)
    var answered = false;                // the server answered this connection's hello

    function connect() {
      reconnectTimer = null;
      var ws;
      try {
        ws = new WebSocket(socketUrl());
      } catch (e) {
        scheduleReconnect();
        return;
      }
      socket = ws;
      lastHeard = Date.now();
      pingsSent = [];
      answered = false;
      app.clock.reset();
      ws.onopen = function () {
        openedAt = lastHeard = Date.now();
        send(app.hello());
      };
      ws.onmessage = function (event) {
        if (ws !== socket) return;
        lastHeard = Date.now();
        var message;
        try {
          message = JSON.parse(event.data);
        } catch (e) {
          return;  // not JSON: nothing to act on, and nothing is ever drawn about it
        }
        if (message && message.type === "pong") pong(message);
        else if (message && typeof message.type === "string") app.receive(message);
        if (!answered) {
          // The hello is answered: now a round trip measures the network alone, for the clock.
          answered = true;
          ping();
        }
      };
      ws.onclose = function (event) {
        if (ws === socket) dropped(event.code);
      };
    }

    function send(message) {
      if (socket && socket.readyState === 1) {
        socket.send(JSON.stringify(message));
        return true;
      }
      return false;
    }

    function ping() {
      if (send({ type: "ping" })) pingsSent.push(Date.now());
    }

    function pong(message) {
      var sentAt = pingsSent.shift();
      app.pong(!!sentAt && app.clock.sample(sentAt, Date.now(), message.server_time));
    }

    function dropped(code) {
      socket = null;
      app.dropped(code);
      if (openedAt && Date.now() - openedAt > STABLE_MS) attempt = 0;
      openedAt = 0;
      if (code === 4001) attempt = 0;  // a screen to pair again: ask for a code at once
      if (code === 1012) restartingUntil = Date.now() + RESTART_WINDOW_MS;
      scheduleReconnect(code === 1006 && attempt === 0 ? ABNORMAL_SPREAD_MS : 0);
    }

    // Full jitter: random(0, min(cap, base * 2^attempt)), the first retry included; at least
    // random(0, spread) when the drop hit every TV at once.
    function scheduleReconnect(spread) {
      if (reconnectTimer) return;
      var cap = Date.now() < restartingUntil ? RESTART_CAP_MS : BACKOFF_CAP_MS;
      var ceiling = Math.min(cap, BACKOFF_BASE_MS * Math.pow(2, attempt));
      var delay = Math.random() * Math.max(ceiling, spread || 0);
      attempt = Math.min(attempt + 1, 16);
      reconnectTimer = window.setTimeout(connect, delay);
    }

    // Close without waiting for a close handshake a dead network would never finish.
    function abandon() {
      var ws = socket;
      if (!ws) return;
      ws.onclose = ws.onmessage = ws.onopen = null;
      try { ws.close(); } catch (e) { /* already closing */ }
      dropped(1006);
    }

    window.setInterval(ping, PING_MS);
    window.setInterval(function () {
      if (socket && Date.now() - lastHeard > SILENCE_MS) abandon();
    }, 5000);
    window.addEventListener("online", function () {
      // The network is back: retry soon (still jittered) instead of waiting out a long backoff.
      if (reconnectTimer) {
        window.clearTimeout(reconnectTimer);
        reconnectTimer = null;
        attempt = 0;
        scheduleReconnect();
      }
    });

    connect();
    return { abandon: abandon };
  }

  exports.ChalkboardConnection = { start: start };
})(window);
