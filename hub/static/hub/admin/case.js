// The operator's case page (admin/cases/case/change_form.html): a chosen saved reply goes in
// at the cursor, and the page tells the server it is open (and whether a reply is being
// written) every few seconds, showing who else is on the case. Everything here has a
// no-JavaScript path: the Insert button, and the reply guard on the server.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("hub-reply");
  if (!form) return; // an earlier page of the thread: no reply box
  const body = form.querySelector("#id_reply_body");
  const status = form.querySelector("#id_status_after");
  const saved = form.querySelector("#id_saved_reply");

  if (saved) {
    saved.addEventListener("change", () => {
      const option = saved.selectedOptions[0];
      if (!option || !option.value) return;
      body.setRangeText(option.dataset.text, body.selectionStart, body.selectionEnd, "end");
      if (option.dataset.status) status.value = option.dataset.status;
      saved.value = ""; // so that the same text can be chosen again
      body.focus();
      body.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  const region = document.getElementById("hub-presence");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let replying = false;
  const beat = () => {
    fetch(region.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ replying: replying ? "1" : "0" }),
    })
      // Redirected: signed out (or the second factor expired), answered by the sign-in page,
      // whose form must not land inside the reply form.
      .then((response) => (response.ok && !response.redirected ? response.text() : null))
      .then((html) => {
        // Only a change is announced (the region is aria-live).
        if (html === null) return;
        const next = document.createElement("div");
        next.innerHTML = html;
        if (next.textContent.trim() !== region.textContent.trim()) region.innerHTML = html;
      })
      .catch(() => {}); // offline for a moment: the next beat tries again
  };
  body.addEventListener("input", () => {
    const writing = body.value.trim() !== "";
    if (writing !== replying) {
      replying = writing;
      beat();
    }
  });
  if (body.value.trim() !== "") {
    // The page came back with a kept reply (a collision, Insert): still being written.
    replying = true;
    beat();
  }
  setInterval(beat, Number(region.dataset.beat || 20) * 1000);
});
