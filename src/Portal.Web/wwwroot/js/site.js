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
  // Keyboard shortcuts of a page: <div hidden data-shortcuts='{"alt+d":"#dx-add"}'> focuses a field or clicks a button.
  document.addEventListener('keydown', e => {
    if (!e.altKey && !e.ctrlKey) return;
    const map = document.querySelector('[data-shortcuts]');
    if (!map) return;
    const combo = (e.ctrlKey ? 'ctrl+' : '') + (e.altKey ? 'alt+' : '') + (e.key || '').toLowerCase();
    const selector = JSON.parse(map.dataset.shortcuts)[combo];
    const target = selector && document.querySelector(selector);
    if (!target) return;
    e.preventDefault();
    if (target.matches('input, textarea, select')) target.focus(); else target.click();
  });
  // [data-unsaved="true"] (the coding screen with codes not saved yet): ask before the page is left. A save that ends in a
  // redirect (QA's corrected codes) is not a loss, and neither is a page the server re-renders clean.
  window.addEventListener('beforeunload', e => {
    if (document.querySelector('[data-unsaved="true"]')) { e.preventDefault(); e.returnValue = ''; }
  });
  document.addEventListener('htmx:beforeOnLoad', e => {
    if (e.detail.xhr?.getResponseHeader('HX-Redirect'))
      document.querySelectorAll('[data-unsaved="true"]').forEach(x => { x.dataset.unsaved = 'false'; });
  });
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
