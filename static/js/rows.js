/* Structured editors (templates/macros/rows.html): add, remove and move rows in place.
   Without this script the same buttons submit the form and the server changes the rows.
   Field names follow WTForms' FieldList: <list>-<index>-<field>; after every change the rows
   are numbered again so the server reads them in the order shown. */
(function () {
  'use strict';

  function renumber(editor) {
    var prefix = editor.getAttribute('data-rows');
    var pattern = new RegExp('^' + prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '-\\d+-');
    editor.querySelectorAll('[data-row]').forEach(function (row, i) {
      row.querySelectorAll('[name], [id], [for]').forEach(function (el) {
        ['name', 'id', 'for'].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && pattern.test(value)) {
            el.setAttribute(attr, value.replace(pattern, prefix + '-' + i + '-'));
          }
        });
      });
      var number = row.querySelector('.rows-number');
      if (number) { number.textContent = (i + 1) + '.'; }
    });
  }

  function clear(row) {
    row.querySelectorAll('input, textarea, select').forEach(function (el) {
      if (el.type === 'checkbox' || el.type === 'radio') { el.checked = false; } else { el.value = ''; }
      el.classList.remove('is-invalid');
    });
    row.querySelectorAll('.invalid-feedback, .rows-lookup-note').forEach(function (el) { el.textContent = ''; });
  }

  function firstInput(row) { return row.querySelector('input:not([type=hidden]), textarea, select'); }

  function act(editor, button) {
    var verb = button.getAttribute('data-rows-verb');
    var list = editor.querySelector('.rows-list');
    var row = button.closest('[data-row]');
    var focus = button;
    if (verb === 'add') {
      var template = list.querySelector('[data-row]:last-child');
      var added = template.cloneNode(true);
      clear(added);
      list.appendChild(added);
      focus = firstInput(added);
    } else if (verb === 'remove') {
      if (list.querySelectorAll('[data-row]').length > 1) {
        var next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        focus = firstInput(next);
      } else {
        clear(row);
        focus = firstInput(row);
      }
    } else if (verb === 'up' && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (verb === 'down' && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    }
    renumber(editor);
    if (focus) { focus.focus(); }
  }

  /* Partner lookup: registered organisations by name or credit code, from the page's own
     JSON endpoint; choosing one puts its credit code in the field. */
  function lookup(input) {
    var box = input.parentNode.querySelector('.rows-lookup');
    var note = input.parentNode.querySelector('.rows-lookup-note');
    var query = input.value.trim();
    if (query.length < 2) { box.hidden = true; return; }
    var url = input.getAttribute('data-lookup-url');
    fetch(url + (url.indexOf('?') < 0 ? '?' : '&') + 'q=' + encodeURIComponent(query),
          {credentials: 'same-origin', headers: {Accept: 'application/json'}})
      .then(function (response) { return response.ok ? response.json() : {organizations: []}; })
      .then(function (data) {
        if (input.value.trim() !== query) { return; }
        box.textContent = '';
        (data.organizations || []).forEach(function (org) {
          var choice = document.createElement('button');
          choice.type = 'button';
          choice.className = 'list-group-item list-group-item-action small py-1';
          choice.textContent = org.name + ' · ' + org.credit_code;
          choice.addEventListener('click', function () {
            input.value = org.credit_code;
            note.textContent = org.name;
            box.hidden = true;
            input.focus();
          });
          box.appendChild(choice);
        });
        box.hidden = !box.firstChild;
      })
      .catch(function () { box.hidden = true; });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-rows]').forEach(function (editor) {
      editor.addEventListener('click', function (event) {
        var button = event.target.closest('button[data-rows-verb]');
        if (!button || !editor.contains(button)) { return; }
        event.preventDefault();
        act(editor, button);
      });
      var timer = null;
      editor.addEventListener('input', function (event) {
        var input = event.target;
        if (!input.hasAttribute || !input.hasAttribute('data-lookup-url')) { return; }
        input.parentNode.querySelector('.rows-lookup-note').textContent = '';
        clearTimeout(timer);
        timer = setTimeout(function () { lookup(input); }, 250);
      });
    });
  });
}());
