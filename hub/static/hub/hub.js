// Marks the page as scripted, so the no-JavaScript "Update" buttons can hide themselves.
document.documentElement.classList.add("js");
