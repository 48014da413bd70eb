// HUB Authenticator: the app shell works offline; the API is never cached.
// Served at /companion/sw.js (companion.api.service_worker), so its scope is /companion/.
const SHELL = "hub-companion-v1";
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(["/companion/"])));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.pathname.startsWith("/companion/api/")) return;
  event.respondWith(fetch(event.request).catch(() => caches.match(event.request)));
});
