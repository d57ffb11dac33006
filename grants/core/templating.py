"""Templates compiled once per locale, with their fixed texts already translated.

A page's template calls ``_('…')`` for each of its texts, and each call costs a lookup of
the request's translations at every rendering (a fifth of a page without queries, issue
15). Most of those texts are constants: ``{{ _('Sign in') }}``. The application keeps one
Jinja environment per locale (an overlay of the main one: the same globals, filters and
loader, its own compiled templates), and compiles each template there with every
``_('constant')`` and ``gettext('constant')`` without arguments replaced by its
translation. Calls with arguments (``_('%(n)s bids', n=n)``), ``ngettext`` and
``pgettext`` stay calls. The result is the same text, marked safe as Jinja's own
``gettext`` marks it, so a page renders exactly as before.

Rendering outside an application context (rare) uses the main environment, which
translates at run time as before.
"""
from __future__ import annotations

from flask import Flask, g
from flask_babel import force_locale, get_locale, get_translations
from jinja2 import Environment, nodes
from jinja2.visitor import NodeTransformer

GETTEXT_NAMES = ("_", "gettext")


class _Translate(NodeTransformer):
    def __init__(self, translate):
        self.translate = translate

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in GETTEXT_NAMES and len(node.args) == 1
                and isinstance(node.args[0], nodes.Const) and isinstance(node.args[0].value, str)
                and not node.kwargs and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        try:  # Jinja's gettext formats the translation with no variables: "%%" becomes "%"
            text = self.translate(node.args[0].value) % {}
        except (TypeError, ValueError, KeyError):
            return node  # left to fail, or not, exactly as at run time
        return nodes.MarkSafeIfAutoescape(nodes.Const(text, lineno=node.lineno), lineno=node.lineno)


def translated_environment(base: Environment, locale: str) -> Environment:
    """An overlay of ``base`` whose templates have their constant texts in ``locale``."""
    with force_locale(locale):
        translations = get_translations()
    env = base.overlay(cache_size=base.cache.capacity if base.cache is not None else 400)
    parse = type(base)._parse
    fold = _Translate(translations.gettext)
    env._parse = lambda source, name, filename: fold.visit(parse(env, source, name, filename))
    return env


class GrantsFlask(Flask):
    """Flask with :attr:`jinja_env` chosen by the locale of the request (or of
    ``force_locale``)."""

    @property
    def jinja_env(self) -> Environment:  # type: ignore[override]
        base = self.__dict__.get("_main_jinja_env")
        if base is None:
            base = self.__dict__["_main_jinja_env"] = self.create_jinja_environment()
        if not g:
            return base
        locale = get_locale()
        if locale is None:
            return base
        key = str(locale)
        envs = self.__dict__.setdefault("_locale_jinja_envs", {})
        env = envs.get(key)
        if env is None:
            env = envs[key] = translated_environment(base, key)
        return env
