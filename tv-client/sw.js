// Chalkboard TV service worker: a TV that reboots without network still shows its last
// board. The page is network-first (a deploy shows up on the next load), its hashed assets
// and images are cache-first. The board itself lives in localStorage, not here.
//
// Served as a template: the asset URLs and the version below are filled in by the server,
// so every deploy changes this file's bytes and the browser installs the new worker.
"use strict";

var VERSION = "{{ version }}";
var SHELL_CACHE = "tv-shell-" + VERSION;
var IMAGE_CACHE = "tv-images";
var PAGE = "/tv";
// The looks' fonts are part of the shell: a TV switched to another look offline still has them.
var SHELL = [PAGE, "{{ asset tv.css }}", "{{ asset looks.css }}", "{{ asset layout.js }}",
  "{{ asset theme.js }}", "{{ asset board.js }}", "{{ asset schedule.js }}",
  "{{ asset connection.js }}", "{{ asset tv.js }}",
  "{{ asset fonts/cabin-sketch/cabin-sketch-latin-700-normal.woff2 }}",
  "{{ asset fonts/patrick-hand/patrick-hand-latin-400-normal.woff2 }}",
  "{{ asset fonts/oswald/oswald-latin-500-normal.woff2 }}",
  "{{ asset fonts/oswald/oswald-latin-700-normal.woff2 }}",
  "{{ asset fonts/inter/inter-latin-400-normal.woff2 }}",
  "{{ asset fonts/inter/inter-latin-700-normal.woff2 }}",
  "{{ asset fonts/playfair-display/playfair-display-latin-700-normal.woff2 }}",
  "{{ asset fonts/nunito/nunito-latin-400-normal.woff2 }}",
  "{{ asset fonts/nunito/nunito-latin-700-normal.woff2 }}",
  "{{ asset fonts/bebas-neue/bebas-neue-latin-400-normal.woff2 }}",
  "{{ asset fonts/atkinson-hyperlegible/atkinson-hyperlegible-latin-400-normal.woff2 }}",
  "{{ asset fonts/atkinson-hyperlegible/atkinson-hyperlegible-latin-700-normal.woff2 }}"
];
var PAGE_TIMEOUT_MS = 4000;  // a network that hangs is treated as no network
var MAX_IMAGES = 200;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.map(function (name) {
          if (name.indexOf("tv-shell-") === 0 && name !== SHELL_CACHE) return caches.delete(name);
        }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  var local = url.origin === self.location.origin;
  if (local && url.pathname === PAGE) {
    event.respondWith(networkFirst(request));
  } else if (local && url.pathname.indexOf("/tv/assets/") === 0) {
    event.respondWith(cacheFirst(request, SHELL_CACHE));
  } else if (request.destination === "image" || /\.(png|jpe?g|gif|webp|svg)$/i.test(url.pathname)) {
    event.respondWith(cacheFirst(request, IMAGE_CACHE));
  }
  // Everything else goes to the network untouched.
});

// The page, from the network when it answers in time; else the cached copy (whatever its
// query string: `?ws=` is a dev override).
function networkFirst(request) {
  var fromNetwork = fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(SHELL_CACHE).then(function (cache) { return cache.put(PAGE, copy); });
    }
    return response;
  });
  var timeout = new Promise(function (resolve, reject) {
    setTimeout(function () { reject(new Error("timeout")); }, PAGE_TIMEOUT_MS);
  });
  return Promise.race([fromNetwork, timeout]).catch(function () {
    return caches.match(PAGE).then(function (cached) { return cached || fromNetwork; });
  });
}

function cacheFirst(request, name) {
  return caches.open(name).then(function (cache) {
    return cache.match(request).then(function (cached) {
      if (cached) return cached;
      return fetch(request).then(function (response) {
        if (response.ok || response.type === "opaque") {
          cache.put(request, response.clone()).then(function () {
            if (name === IMAGE_CACHE) trim(cache);
          });
        }
        return response;
      });
    });
  });
}

// Keep the image cache bounded: drop the oldest entries (keys come back in insertion order).
function trim(cache) {
  return cache.keys().then(function (keys) {
    for (var i = 0; i < keys.length - MAX_IMAGES; i++) cache.delete(keys[i]);
  });
}
