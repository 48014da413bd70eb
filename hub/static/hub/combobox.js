// The 商品ID box as a WAI-ARIA combobox (APG "list autocomplete with manual selection").
//
// The markup (cases/_product_search.html) works without this file: a search box, a "Search"
// button and a plain list of products. Here the box gets its combobox roles, htmx fetches the
// suggestions into its listbox as the customer types (the input's hx-get), and the option
// picked is written into that product list, whose change refreshes the form as a pick there
// does: the list stays what the form submits and the server validates.
//
// Keys: ArrowDown / ArrowUp open the list and move through it, Enter picks, Escape closes,
// Alt+ArrowDown opens without moving. The active option is aria-activedescendant (focus stays
// in the box); a live region (role=status, filled by the server) says how many match.
(() => {
  "use strict";

  // What the next answer should do: open the list, and which option to make active.
  const wanted = new WeakMap();

  function partsOf(element) {
    const box = element.closest("[data-hub-combobox]");
    if (!box) return null;
    return {
      box,
      input: box.querySelector("[data-combobox-input]"),
      list: box.querySelector("[role=listbox]"),
      status: box.querySelector("[role=status]"),
      select: document.getElementById(box.dataset.hubCombobox),
    };
  }

  function options(parts) {
    return Array.from(parts.list.querySelectorAll("[role=option]"));
  }

  function isOpen(parts) {
    return !parts.list.hidden;
  }

  function activate(parts, option) {
    for (const each of options(parts)) each.setAttribute("aria-selected", String(each === option));
    if (option) {
      parts.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      parts.input.removeAttribute("aria-activedescendant");
    }
  }

  function open(parts, which) {
    const all = options(parts);
    if (!all.length) return close(parts);
    parts.list.hidden = false;
    parts.input.setAttribute("aria-expanded", "true");
    activate(parts, which === "first" ? all[0] : which === "last" ? all[all.length - 1] : null);
  }

  function close(parts) {
    parts.list.hidden = true;
    parts.input.setAttribute("aria-expanded", "false");
    activate(parts, null);
  }

  function move(parts, step) {
    const all = options(parts);
    const now = all.findIndex((option) => option.getAttribute("aria-selected") === "true");
    const next = now < 0 ? (step > 0 ? 0 : all.length - 1) : (now + step + all.length) % all.length;
    activate(parts, all[next]);
  }

  // Ask the server for the suggestions of what the box holds; `which` option becomes active.
  function suggest(parts, which) {
    wanted.set(parts.input, { which, asked: true });
    htmx.trigger(parts.input, "suggest");
  }

  function pick(parts, option) {
    const value = option.dataset.value;
    const name = option.textContent.trim();
    // The product list may not hold the option yet: without JavaScript it lists what the
    // last search found. The refresh its change sends answers with the list as it should be.
    if (!Array.from(parts.select.options).some((each) => each.value === value)) {
      parts.select.add(new Option(name, value));
    }
    parts.select.value = value;
    parts.input.value = name;
    parts.status.textContent = "";
    close(parts);
    parts.select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // The chosen product's name, or "" while none is chosen.
  function chosenName(parts) {
    const chosen = parts.select.selectedOptions[0];
    return chosen && chosen.value ? chosen.textContent.trim() : "";
  }

  // Give the box its roles (again after each refresh: the input is kept, hx-preserve, but the
  // list, the status and the errors around it are new) and show the errors the server drew.
  function enhance(box) {
    const parts = partsOf(box);
    if (!parts || !parts.select) return;
    const errors = box.querySelector("[data-combobox-errors]");
    const input = parts.input;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", parts.list.id);
    input.setAttribute("aria-required", "true");
    input.classList.toggle("is-invalid", Boolean(errors));
    if (errors) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", errors.id);
    } else {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
    close(parts);
  }

  htmx.onLoad((root) => {
    const boxes = root.matches("[data-hub-combobox]") ? [root] : [];
    boxes.push(...root.querySelectorAll("[data-hub-combobox]"));
    boxes.forEach(enhance);
  });

  document.addEventListener("keydown", (event) => {
    if (!event.target.matches("[data-combobox-input]")) return;
    const parts = partsOf(event.target);
    if (!parts || !parts.select) return;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp": {
        event.preventDefault();
        const which = event.altKey ? null : event.key === "ArrowDown" ? "first" : "last";
        if (isOpen(parts)) {
          if (!event.altKey) move(parts, event.key === "ArrowDown" ? 1 : -1);
        } else {
          suggest(parts, which);
        }
        break;
      }
      case "Enter": {
        // Never the form's submission from here: Enter picks, or opens the list.
        event.preventDefault();
        const active = parts.list.querySelector("[aria-selected=true]");
        if (isOpen(parts) && active) pick(parts, active);
        else if (!isOpen(parts)) suggest(parts, null);
        break;
      }
      case "Escape":
        if (isOpen(parts)) {
          event.preventDefault(); // keeps what was typed (a search box clears on Escape)
          close(parts);
        }
        break;
      case "Tab":
        close(parts);
        break;
      default:
        break;
    }
  });

  document.addEventListener("input", (event) => {
    if (!event.target.matches("[data-combobox-input]")) return;
    const parts = partsOf(event.target);
    if (!parts) return;
    wanted.set(parts.input, { which: null, asked: false });
    if (!parts.input.value.trim()) {
      close(parts);
      parts.status.textContent = "";
    }
  });

  // Typing that empties the box asks for nothing; an arrow key asks for the whole list.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const input = event.detail.elt;
    if (!input.matches || !input.matches("[data-combobox-input]")) return;
    const want = wanted.get(input);
    if (!input.value.trim() && !(want && want.asked)) event.preventDefault();
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const list = event.detail.target;
    if (!list.matches || !list.matches("[data-hub-combobox] [role=listbox]")) return;
    const parts = partsOf(list);
    const want = wanted.get(parts.input) || { which: null };
    if (document.activeElement === parts.input) open(parts, want.which);
    else close(parts);
    wanted.set(parts.input, { which: null, asked: false });
  });

  // A click picks; pressing the mouse does not take the focus from the box.
  document.addEventListener("mousedown", (event) => {
    if (event.target.closest("[data-hub-combobox] [role=option]")) event.preventDefault();
  });
  document.addEventListener("click", (event) => {
    const option = event.target.closest("[data-hub-combobox] [role=option]");
    if (option) pick(partsOf(option), option);
  });

  // Leaving the box closes the list; a chosen product keeps its name in the box, so the box
  // never shows a search that is not what the form will send.
  document.addEventListener("focusout", (event) => {
    if (!event.target.matches("[data-combobox-input]")) return;
    const parts = partsOf(event.target);
    if (!parts || !parts.select) return;
    close(parts);
    const name = chosenName(parts);
    if (name && parts.input.value !== name) parts.input.value = name;
  });
})();
