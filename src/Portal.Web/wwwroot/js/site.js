// Behaviour that would otherwise be inline event handlers, which the Content-Security-Policy forbids.
(() => {
  // <select data-submit-on-change>: choosing a value submits its form (the practice switcher, the code lookup filters).
  document.addEventListener('change', e => {
    if (e.target.matches?.('[data-submit-on-change]')) e.target.form?.requestSubmit();
  });
  // <form data-no-native-submit>: htmx posts the form; the browser must never post it as a page.
  document.addEventListener('submit', e => {
    if (e.target.matches?.('form[data-no-native-submit]')) e.preventDefault();
  }, true);
  // [data-pick-code] with hx-trigger="code-selected": the chosen code travels as "pick" (what hx-vals='js:…' did, without eval).
  document.addEventListener('htmx:configRequest', e => {
    const code = e.detail.triggeringEvent?.detail?.code;
    if (code && e.detail.elt.matches?.('[data-pick-code]')) e.detail.parameters.pick = code;
  });
})();
// <form data-upload-progress> posted by htmx: its <progress> follows the upload (the read that follows is polled by the page).
document.addEventListener('htmx:xhr:progress', e => {
  const form = e.target.closest?.('form[data-upload-progress]');
  const bar = form?.querySelector('progress');
  if (bar && e.detail.lengthComputable) {
    const percent = Math.round(e.detail.loaded * 100 / e.detail.total);
    bar.value = percent;
    bar.textContent = percent + '%';
  }
});
