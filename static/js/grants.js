/* The site's own scripts (served from here: the Content-Security-Policy allows no inline script). */
(function () {
  'use strict';

  // A form with data-confirm asks before it is sent (destructive actions).
  document.addEventListener('submit', function (e) {
    var msg = e.target.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });

  // A select with data-autosubmit sends its form when changed (filters).
  document.addEventListener('change', function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute('data-autosubmit') && e.target.form) {
      e.target.form.submit();
    }
  });

  // A challenge's countdown to its deadline.
  function countdown() {
    var box = document.getElementById('countdown');
    if (!box || !box.dataset.deadline) return;
    var end = new Date(box.dataset.deadline).getTime(), out = box.querySelector('.js-left');
    if (!out) return;
    function tick() {
      var s = Math.max(0, Math.floor((end - Date.now()) / 1000));
      out.textContent = box.dataset.format.replace('{d}', Math.floor(s / 86400))
        .replace('{h}', Math.floor(s % 86400 / 3600)).replace('{m}', Math.floor(s % 3600 / 60));
    }
    tick(); setInterval(tick, 15000);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', countdown);
  } else {
    countdown();
  }
})();
