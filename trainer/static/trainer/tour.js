// The tour's fold on a phone: its heading's button opens and closes the checklist (hub.css
// hides the checklist while the button says aria-expanded="false", below 768 px only).
document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".hub-tour-toggle");
  if (toggle) {
    toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
  }
});
