// Keyboard support for [data-combobox] typeaheads (ARIA 1.2 combobox with a listbox popup).
(() => {
  const parts = root => {
    const input = root.querySelector('[role=combobox]');
    return { input, list: document.getElementById(input.getAttribute('aria-controls')), value: root.querySelector('input[type=hidden]') };
  };
  const options = list => list ? [...list.querySelectorAll('[role=option]')] : [];
  const close = ({ input, list }) => { if (list) list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); };
  const activate = ({ input, list }, index) => {
    const all = options(list);
    all.forEach((o, i) => o.setAttribute('aria-selected', String(i === index)));
    if (all[index]) { input.setAttribute('aria-activedescendant', all[index].id); all[index].scrollIntoView({ block: 'nearest' }); }
  };
  // A code picked while an edit of the form is in flight (two codes added in quick succession) is sent when that edit is back,
  // from the box then on the page: sent at once it would replace the first edit, and the first code would be lost.
  const choose = (p, option) => {
    const code = option.dataset.code, id = p.input.id;
    p.input.value = code;
    p.value.value = code;
    close(p);
    const send = () => {
      const input = document.getElementById(id) ?? p.input;
      input.value = code;
      input.dispatchEvent(new CustomEvent('code-selected', { bubbles: true, detail: { code } }));
    };
    if (window.portalWhenIdle) window.portalWhenIdle(send); else send();
  };
  document.addEventListener('keydown', e => {
    const root = e.target.closest?.('[data-combobox]');
    if (!root || e.target.getAttribute('role') !== 'combobox') return;
    const p = parts(root), all = options(p.list);
    const current = all.findIndex(o => o.getAttribute('aria-selected') === 'true');
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!all.length) return;
      e.preventDefault();
      p.list.hidden = false; p.input.setAttribute('aria-expanded', 'true');
      activate(p, e.key === 'ArrowDown' ? (current + 1) % all.length : (current - 1 + all.length) % all.length);
    } else if (e.key === 'Enter' && current >= 0 && !p.list.hidden) {
      e.preventDefault();
      choose(p, all[current]);
    } else if (e.key === 'Escape') {
      close(p);
    }
  });
  document.addEventListener('click', e => {
    const option = e.target.closest?.('[role=option]');
    const root = option?.closest('[data-combobox]');
    if (root) choose(parts(root), option);
  });
  document.addEventListener('htmx:afterSwap', e => {
    const list = e.detail.target?.id ? document.getElementById(e.detail.target.id) : null;
    const root = document.querySelector(`[aria-controls="${e.detail.target?.id}"]`)?.closest('[data-combobox]');
    if (!root || !list) return;
    const p = parts(root);
    p.input.setAttribute('aria-expanded', String(!list.hidden));
    p.input.removeAttribute('aria-activedescendant');
  });
})();
