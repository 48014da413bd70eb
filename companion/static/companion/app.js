// HUB Authenticator: a device key that never leaves this browser (WebCrypto, not extractable),
// made when the person taps Add account; a two-word phrase to pair it; then the code to log in
// with and signed answers to sign-in approvals (number matching).
(() => {
  const root = document.getElementById("companion");
  const api = root.dataset.api.replace(/enroll$/, "");
  const enc = new TextEncoder();
  let key = null; // {keyPair, keyId}

  function show(view) {
    root.querySelectorAll("[data-view]").forEach((el) => { el.hidden = el.dataset.view !== view; });
  }
  function error(text) { root.querySelector("[data-testid=companion-error]").textContent = text || ""; }

  function db() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("hub-companion", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("keys");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function stored(name, value) {
    const handle = await db();
    return new Promise((resolve, reject) => {
      const tx = handle.transaction("keys", value === undefined ? "readonly" : "readwrite");
      const store = tx.objectStore("keys");
      const request = value === undefined ? store.get(name) : store.put(value, name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
  const b64url = (bytes) => b64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  async function sha256hex(bytes) {
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function signed(method, name, body) {
    const path = new URL(api + name, location.href).pathname;
    const payload = body === undefined ? new Uint8Array() : enc.encode(JSON.stringify(body));
    const time = Math.floor(Date.now() / 1000).toString();
    const message = `${method}\n${path}\n${time}\n${await sha256hex(payload)}`;
    const signature = await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" }, key.keyPair.privateKey, enc.encode(message));
    const response = await fetch(path, {
      method,
      body: method === "GET" ? undefined : payload,
      headers: {
        "Content-Type": "application/json",
        "X-Companion-Key": key.keyId,
        "X-Companion-Time": time,
        "X-Companion-Signature": b64url(signature),
      },
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  async function enroll() {
    const keyPair = await crypto.subtle.generateKey(
      { name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
    const spki = await crypto.subtle.exportKey("spki", keyPair.publicKey);
    const response = await fetch(api + "enroll", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ public_key: b64(spki) }),
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    key = { keyPair, keyId: data.key_id, phrase: data.phrase };
    await stored("device", key);
  }

  async function totp(hexKey) {
    const bytes = new Uint8Array(hexKey.match(/../g).map((h) => parseInt(h, 16)));
    const hmacKey = await crypto.subtle.importKey(
      "raw", bytes, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
    const counter = new DataView(new ArrayBuffer(8));
    counter.setUint32(4, Math.floor(Date.now() / 30000));
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, counter.buffer));
    const offset = mac[19] & 0xf;
    const code = ((mac[offset] & 0x7f) << 24 | mac[offset + 1] << 16 | mac[offset + 2] << 8
      | mac[offset + 3]) % 1000000;
    return code.toString().padStart(6, "0");
  }

  function renderApprovals(approvals) {
    const list = root.querySelector("[data-testid=approvals]");
    root.querySelector("[data-testid=no-approvals]").hidden = approvals.length > 0;
    const template = root.querySelector("[data-template=approval]");
    const shown = [...list.children].map((el) => el.dataset.id).join(",");
    if (shown === approvals.map((a) => String(a.id)).join(",")) return;
    list.replaceChildren();
    for (const approval of approvals) {
      const card = template.content.firstElementChild.cloneNode(true);
      card.dataset.id = approval.id;
      card.querySelector("[data-field=browser]").textContent = approval.browser;
      card.querySelector("[data-field=address]").textContent = approval.address;
      card.querySelector("[data-field=time]").textContent = new Date(approval.time).toLocaleString();
      const choices = card.querySelector("[data-field=choices]");
      for (const number of approval.choices) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-primary btn-lg flex-fill";
        button.textContent = number;
        button.addEventListener("click", () => answer(approval.id, { number }));
        choices.append(button);
      }
      card.querySelector("[data-action=deny]").addEventListener(
        "click", () => answer(approval.id, { deny: true }));
      list.append(card);
    }
  }

  async function answer(id, choice) {
    root.querySelector(`[data-testid=approvals] [data-id="${id}"]`)?.remove();
    try { await signed("POST", "answer", { approval: id, ...choice }); error(""); }
    catch (e) { error(e.message); }
    refresh();
  }

  // Back to the first screen: the phrase ran out, or the account removed this app.
  async function forget() {
    await stored("device", null);
    key = null;
    error("");
    show("start");
  }

  async function refresh() {
    if (!key) return; // nothing to ask about before Add account
    try {
      const state = await signed("GET", "state");
      error("");
      if (state.state === "expired") { await forget(); return; }
      if (state.state === "waiting") {
        root.querySelector("[data-testid=phrase]").textContent = key.phrase;
        show("waiting");
      } else if (state.state === "confirm") {
        root.querySelector("[data-testid=confirm-account]").textContent = state.account;
        show("confirm");
      } else {
        root.querySelector("[data-testid=paired-account]").textContent = state.account;
        renderApprovals(state.approvals);
        const box = root.querySelector("[data-testid=companion-totp]");
        box.hidden = !state.totp_key;
        if (state.totp_key) box.querySelector("[data-field=totp]").textContent = await totp(state.totp_key);
        show("paired");
      }
    } catch (e) {
      if (/unknown or removed key/.test(e.message)) await forget();
      else error(e.message);
    }
  }

  async function start() {
    if (!window.isSecureContext || !crypto.subtle) { error("HTTPS is required."); return; }
    key = await stored("device");
    if (!key) { show("start"); return; }
    await refresh();
  }

  const add = root.querySelector("[data-action=add]");
  add.addEventListener("click", async () => {
    add.disabled = true;
    try { await enroll(); await refresh(); } catch (e) { error(e.message); }
    add.disabled = false;
  });

  root.querySelector("[data-action=confirm]").addEventListener("click", async () => {
    try { await signed("POST", "confirm", {}); } catch (e) { error(e.message); }
    refresh();
  });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(root.dataset.sw).catch(() => {});
  start().catch((e) => error(e.message));
  setInterval(refresh, 2000);
})();
