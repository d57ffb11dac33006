"""Templates are compiled once per locale with their constant texts translated: the
pages read the same as when every text is translated at run time."""
from flask import render_template_string
from flask_babel import force_locale


def test_constant_texts_are_translated_when_compiled_and_the_rest_at_run_time(app):
    source = ("{{ _('Sign in') }}|{{ _('Sign in')|length }}|{{ _('%(n)s%% done', n=5) }}|{{ _('100%%') }}|"
              "{{ _('Open Competition S&T Projects') }}|{{ gettext('Sign out') }}")
    with app.test_request_context("/"):
        with force_locale("zh_CN"):
            chinese = render_template_string(source)
            compiled = app.jinja_env.from_string("{{ _('Sign in') }}")
        with force_locale("en"):
            english = render_template_string(source)
            assert app.jinja_env is not compiled.environment  # each locale has its own compiled templates
    assert chinese.split("|")[0] == "登录" and chinese.split("|")[1] == "2" and chinese.split("|")[5] == "退出"
    assert english.split("|") == ["Sign in", "7", "5% done", "100%", "Open Competition S&T Projects", "Sign out"]
    assert "&amp;" not in english  # marked safe, as Jinja's gettext marks a translation


def test_numeric_dates_are_written_as_babel_writes_them_in_every_locale():
    from datetime import datetime

    from babel.dates import format_date, format_datetime

    from grants.core.setup import NUMERIC_PATTERNS

    for moment in (datetime(2026, 1, 5, 3, 7, 9), datetime(999, 12, 31, 23, 59, 59), datetime(2026, 11, 30)):
        for locale in ("zh_CN", "en"):
            for pattern, write in NUMERIC_PATTERNS.items():
                assert write(moment) == format_datetime(moment, pattern, locale=locale)
            assert NUMERIC_PATTERNS["yyyy-MM-dd"](moment.date()) == format_date(moment.date(), "yyyy-MM-dd", locale=locale)
