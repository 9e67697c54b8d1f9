// Behaviour that would otherwise be inline event handlers, which the Content-Security-Policy forbids.

// Runs fn once no htmx request is in flight but live checks ([data-live-findings], which an edit aborts anyway): an edit sent
// while another is in flight would replace it (hx-sync "this:replace") and lose what the first one carried. Gives up waiting
// after 15 s and runs fn then.
window.portalWhenIdle = fn => {
  const busy = () => document.querySelector('.htmx-request:not([data-live-findings]), .htmx-swapping, .htmx-settling');
  if (!busy()) { fn(); return; }
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    document.removeEventListener('htmx:afterSettle', finish);
    document.removeEventListener('htmx:afterRequest', check);
    fn();
  };
  const finish = () => { if (!busy()) run(); };
  const check = () => setTimeout(finish, 0);
  document.addEventListener('htmx:afterSettle', finish);
  document.addEventListener('htmx:afterRequest', check);
  setTimeout(run, 15000);
};

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
  // A button waits for an edit still in flight (Ctrl+S pressed right after a code was added): clicked at once, the save would
  // replace the add and save the list without the new line. The button clicked is the one on the page when the edit is back.
  document.addEventListener('keydown', e => {
    if (!e.altKey && !e.ctrlKey) return;
    const map = document.querySelector('[data-shortcuts]');
    if (!map) return;
    const combo = (e.ctrlKey ? 'ctrl+' : '') + (e.altKey ? 'alt+' : '') + (e.key || '').toLowerCase();
    const selector = JSON.parse(map.dataset.shortcuts)[combo];
    const target = selector && document.querySelector(selector);
    if (!target) return;
    e.preventDefault();
    if (target.matches('input, textarea, select')) target.focus();
    else window.portalWhenIdle(() => document.querySelector(selector)?.click());
  });
  // A live check (data-live-findings) gives way to an edit of its form, and its answer is dropped when an edit replaced the form
  // meanwhile (its element left the page): findings from an older draft must not land on the newer one.
  document.addEventListener('htmx:beforeRequest', e => {
    const elt = e.detail.elt, verb = e.detail.requestConfig?.verb;
    if (!verb || verb === 'get' || elt?.matches?.('[data-live-findings]')) return;
    const form = elt?.closest?.('form');
    form?.querySelectorAll('[data-live-findings]').forEach(live => live.dispatchEvent(new CustomEvent('htmx:abort', { bubbles: true, detail: { elt: live } })));
  });
  document.addEventListener('htmx:beforeSwap', e => {
    if (e.detail.elt?.matches?.('[data-live-findings]') && !document.body.contains(e.detail.elt)) e.detail.shouldSwap = false;
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
