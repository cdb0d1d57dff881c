// The moderation queue's région and département filters: apply a choice at once.
// Without JavaScript, the « Filtrer » button next to each list does the same.
document.querySelectorAll("select[data-submit-on-change]").forEach((select) => {
  select.addEventListener("change", () => select.form.requestSubmit());
});
