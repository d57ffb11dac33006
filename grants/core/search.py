"""Text search in lists: the words a user typed match literally.

``%`` and ``_`` are LIKE wildcards and the escape character is special too;
typed into a search box they mean themselves (``q=%%%%`` finds only text with
percent signs, never everything).
"""
from __future__ import annotations


def contains(column, text: str):
    """``column`` contains ``text`` (case-insensitive), every character literally."""
    return column.icontains(text, autoescape=True)
