/* Page behaviour without inline script (the pages run under a Content-Security-Policy
   that allows scripts from this site only). Every behaviour is declared in the markup:
   - form[data-confirm] or its submit button's data-confirm: ask before an irreversible action;
   - select[data-autosubmit]: a filter applies as soon as it is chosen;
   - #countdown[data-deadline][data-format]: time left before a deadline. */
(function () {
  'use strict';

  document.addEventListener('submit', function (e) {
    var button = e.submitter;
    var msg = (button && button.getAttribute('data-confirm')) || e.target.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });

  document.addEventListener('change', function (e) {
    var el = e.target;
    if (el.hasAttribute && el.hasAttribute('data-autosubmit') && el.form) { el.form.submit(); }
  });

  function countdown() {
    var box = document.getElementById('countdown');
    if (!box || !box.dataset.deadline) { return; }
    var end = new Date(box.dataset.deadline).getTime(), out = box.querySelector('.js-left');
    function tick() {
      var s = Math.max(0, Math.floor((end - Date.now()) / 1000));
      out.textContent = box.dataset.format.replace('{d}', Math.floor(s / 86400))
        .replace('{h}', Math.floor(s % 86400 / 3600)).replace('{m}', Math.floor(s % 3600 / 60));
    }
    tick();
    setInterval(tick, 15000);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', countdown);
  } else {
    countdown();
  }
})();
