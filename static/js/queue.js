// The moderation queue (#26): its buttons post in the background, and keys moderate:
// j next, k previous, a approve (or "not spam"), s spam, r remove. Without this script the
// same buttons are plain form posts.
(function () {
  "use strict";
  const form = document.querySelector("form[data-queue]");
  if (!form) return;
  const status = document.querySelector(".queue-status");
  let current = 0;

  const rows = () => Array.from(form.querySelectorAll(".queue-row"));

  function focusRow(index) {
    const all = rows();
    if (!all.length) {
      status.textContent = status.textContent + " " + (form.dataset.empty || "");
      return;
    }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row) => row.classList.remove("current"));
    all[current].classList.add("current");
    all[current].focus();
  }

  async function act(row, button) {
    const data = new FormData(form);
    data.delete("selected");
    data.delete("bulk");
    data.set("row", button.value);
    button.disabled = true;
    try {
      const response = await fetch(form.action || window.location.href, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(response.status);
      const answer = await response.json();
      status.textContent = answer.messages.join(" ");
      const index = rows().indexOf(row);
      if (answer.done.length) row.remove();
      else button.disabled = false;
      focusRow(index);
    } catch (error) {
      button.disabled = false;
      form.requestSubmit(button); // the plain post says what went wrong
    }
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[name=row]");
    if (!button || button.disabled) return;
    event.preventDefault();
    act(button.closest(".queue-row"), button);
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const row = rows()[current];
    if (event.key === "j") focusRow(current + 1);
    else if (event.key === "k") focusRow(current - 1);
    else if (["a", "s", "r"].includes(event.key) && row) {
      const button = row.querySelector(`button[data-key="${event.key}"]`);
      if (!button) return;
      act(row, button);
    } else return;
    event.preventDefault();
  });

  form.addEventListener("focusin", (event) => {
    const row = event.target.closest(".queue-row");
    if (row) current = rows().indexOf(row);
  });
  if (rows().length) {
    rows()[0].classList.add("current");
  }
})();
