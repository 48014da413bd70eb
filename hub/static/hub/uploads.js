// Sending attachments (cases/_attachments.html in the portal, the operator's case page in the
// admin): a drop zone around the file picker, each chosen file listed with its size and checked
// before a byte is sent, then one request per file with its progress, time left and a cancel
// button. It enhances a plain multipart form ([data-hub-upload]) that works without it; the
// server checks everything again. Limits and translated texts come from the page
// (`{% upload_config %}`: a JSON data block, so no inline script).
//
// For tests and other scripts, the form dispatches "hub:upload-progress" (detail: name,
// percent) on every progress event and "hub:uploads-done" once the file list is refreshed.
(() => {
  "use strict";

  const SENDING_AT_ONCE = 2;

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  // As the server's list writes sizes (Django's filesizeformat): 1024 to a KB.
  function sizeText(bytes, texts) {
    const language = document.documentElement.lang || undefined;
    if (bytes < 1024) return fill(texts.bytes, { size: bytes });
    const units = ["KB", "MB", "GB"];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    const number = new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(value);
    return `${number}\u00a0${units[unit]}`;
  }

  function extensionOf(name) {
    const dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(dot).toLowerCase() : "";
  }

  function enhance(form) {
    if (form.dataset.hubUploadReady) return;
    const data = document.getElementById("hub-upload-config");
    if (!data) return;
    form.dataset.hubUploadReady = "1";
    const config = JSON.parse(data.textContent);
    const texts = config.texts;
    const input = form.querySelector("input[type=file]");
    const zone = form.querySelector("[data-hub-drop]");
    const list = form.querySelector("[data-hub-upload-list]");
    const status = form.querySelector("[data-hub-upload-status]");
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const entries = [];
    let sending = 0;
    let attachedSinceRefresh = 0;

    // The script keeps the chosen files itself (dropped ones never reach the input).
    input.required = false;

    const waiting = () => entries.filter((entry) => entry.state === "waiting");
    const open = () => entries.filter((entry) => ["waiting", "sending"].includes(entry.state));

    function say(text) {
      status.textContent = text;
    }

    function settle(entry, state, note) {
      entry.state = state;
      entry.row.dataset.state = state;
      entry.note.textContent = note;
      if (entry.button) {
        entry.button.remove();
        entry.button = null;
      }
      if (entry.bar && state !== "done") entry.bar.remove();
    }

    function refusal(file, pending) {
      if (pending >= config.maxFiles) return texts.tooMany;
      if (!config.extensions.includes(extensionOf(file.name))) return texts.wrongType;
      if (file.size > config.maxBytes) return texts.tooLarge;
      if (file.size === 0) return texts.empty;
      return null;
    }

    function add(files) {
      let pending = open().length;
      for (const file of files) {
        const row = document.createElement("li");
        row.className = "hub-upload-item";
        const name = document.createElement("span");
        name.className = "hub-upload-name";
        name.textContent = file.name;
        const size = document.createElement("span");
        size.className = "hub-upload-size";
        size.textContent = sizeText(file.size, texts);
        const note = document.createElement("span");
        note.className = "hub-upload-note";
        row.append(name, " ", size, " ", note);
        const entry = { file, row, note, state: "waiting", bar: null, button: null, xhr: null };
        const refused = refusal(file, pending);
        if (refused) {
          settle(entry, "refused", refused);
        } else {
          pending += 1;
          entry.bar = document.createElement("progress");
          entry.bar.max = 100;
          entry.bar.value = 0;
          entry.bar.setAttribute("aria-label", file.name);
          entry.button = document.createElement("button");
          entry.button.type = "button";
          // The page's own button look (Bootstrap's in the portal, the admin's there).
          entry.button.className = `hub-upload-cancel ${list.dataset.buttonClass || ""}`.trim();
          entry.button.textContent = texts.cancel;
          entry.button.setAttribute("aria-label", fill(texts.cancelNamed, { name: file.name }));
          entry.button.addEventListener("click", () => cancel(entry));
          row.append(entry.bar, entry.button);
          note.textContent = texts.waiting;
          row.dataset.state = "waiting";
        }
        entries.push(entry);
        list.append(row);
      }
    }

    function cancel(entry) {
      if (entry.state === "sending") {
        entry.xhr.abort(); // onabort settles it
      } else if (entry.state === "waiting") {
        settle(entry, "cancelled", texts.cancelled);
      }
    }

    function progressText(entry, loaded, total) {
      const percent = total ? Math.floor((loaded / total) * 100) : 0;
      const elapsed = (performance.now() - entry.started) / 1000;
      const left = loaded ? ((total - loaded) / loaded) * elapsed : Infinity;
      if (elapsed < 1 || !Number.isFinite(left) || loaded >= total) {
        return [percent, fill(texts.progress, { percent })];
      }
      if (left < 90) {
        return [percent, fill(texts.progressSeconds, { percent, seconds: Math.ceil(left) })];
      }
      return [percent, fill(texts.progressMinutes, { percent, minutes: Math.ceil(left / 60) })];
    }

    function failure(xhr) {
      // Redirected (signed out, the second factor gone): the sign-in page answered.
      if (xhr.responseURL && new URL(xhr.responseURL).pathname !== new URL(form.action).pathname) {
        return texts.signedOut;
      }
      let errors = [];
      try {
        errors = JSON.parse(xhr.responseText).errors || [];
      } catch {
        // not our JSON: a CSRF failure, an error page
      }
      if (errors.length) return errors.join(" ");
      if (xhr.status === 503) return texts.busy;
      if (xhr.status === 403) return texts.signedOut;
      return texts.failed;
    }

    function send(entry) {
      const xhr = new XMLHttpRequest();
      entry.xhr = xhr;
      entry.state = "sending";
      entry.row.dataset.state = "sending";
      entry.note.textContent = texts.starting;
      entry.started = performance.now();
      sending += 1;
      xhr.upload.addEventListener("progress", (event) => {
        if (!event.lengthComputable) return;
        const [percent, text] = progressText(entry, event.loaded, event.total);
        entry.bar.value = percent;
        entry.note.textContent = text;
        form.dispatchEvent(
          new CustomEvent("hub:upload-progress", { detail: { name: entry.file.name, percent } }),
        );
      });
      // Every byte is with the server, which now checks and keeps the file whatever the page
      // does: a cancel from here on would say "nothing was kept" of a file that was.
      xhr.upload.addEventListener("load", () => {
        if (entry.button) entry.button.remove();
        entry.button = null;
      });
      xhr.addEventListener("load", () => {
        if (xhr.status === 201 && xhr.responseURL.endsWith(new URL(form.action).pathname)) {
          entry.bar.value = 100;
          settle(entry, "done", texts.done);
          attachedSinceRefresh += 1;
          say(fill(texts.doneNamed, { name: entry.file.name }));
        } else {
          settle(entry, "failed", failure(xhr));
        }
      });
      xhr.addEventListener("error", () => settle(entry, "failed", texts.lost));
      xhr.addEventListener("abort", () => settle(entry, "cancelled", texts.cancelled));
      xhr.addEventListener("loadend", () => {
        sending -= 1;
        next();
      });
      const body = new FormData();
      body.append("files", entry.file, entry.file.name);
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader(config.header, "1");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.send(body);
    }

    function next() {
      const ready = waiting();
      while (sending < SENDING_AT_ONCE && ready.length) send(ready.shift());
      if (sending === 0 && !waiting().length && attachedSinceRefresh) refresh();
    }

    // The list of files as the server has it now: the page fetched again, its list swapped in.
    function refresh() {
      attachedSinceRefresh = 0;
      const target = document.getElementById(form.dataset.hubUploadRefresh);
      const finished = () => {
        say(texts.allDone);
        form.dispatchEvent(new CustomEvent("hub:uploads-done"));
      };
      if (!target) return finished();
      fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then((response) => (response.ok && !response.redirected ? response.text() : null))
        .then((html) => {
          if (html === null) return;
          const fresh = new DOMParser().parseFromString(html, "text/html").getElementById(target.id);
          if (!fresh) return;
          const adopted = document.importNode(fresh, true);
          target.replaceWith(adopted);
          if (window.htmx) window.htmx.process(adopted);
          for (const entry of entries) if (entry.state === "done") entry.row.remove();
        })
        .catch(() => {}) // offline for a moment: the files are attached all the same
        .finally(finished);
    }

    input.addEventListener("change", () => {
      add(input.files);
      input.value = ""; // the same file can be chosen again
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!waiting().length) return say(texts.nothingChosen);
      say("");
      next();
    });
    zone.addEventListener("dragover", (event) => {
      event.preventDefault(); // allows the drop
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("hub-drop-over");
    });
    zone.addEventListener("dragleave", (event) => {
      if (!zone.contains(event.relatedTarget)) zone.classList.remove("hub-drop-over");
    });
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("hub-drop-over");
      if (event.dataTransfer && event.dataTransfer.files.length) add(event.dataTransfer.files);
    });
  }

  // A file dropped beside the zone would make the browser leave the page to show it.
  function keepMisdroppedFiles(event) {
    if (!event.dataTransfer || !event.dataTransfer.types.includes("Files")) return;
    if (!document.querySelector("form[data-hub-upload]")) return;
    if (event.target instanceof Element && event.target.closest("[data-hub-drop]")) return;
    event.preventDefault();
    if (event.type === "dragover") event.dataTransfer.dropEffect = "none";
  }

  function start() {
    for (const form of document.querySelectorAll("form[data-hub-upload]")) enhance(form);
  }

  document.addEventListener("dragover", keepMisdroppedFiles);
  document.addEventListener("drop", keepMisdroppedFiles);

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  // The portal may bring the Attachments tab in with htmx.
  document.addEventListener("htmx:load", start);
})();
