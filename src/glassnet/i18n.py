"""User-facing words in English and Persian, kept apart from the code that uses them.

Every package that speaks to people (the reports of glassnet.experiments, the findings of
glassnet.diagnose, the image-search page of glassnet.serve) keeps its words in a table in its
own ``messages.py``: ``{key: {"en": "...", "fa": "..."}}``, with ``str.format`` fields for
the numbers, which the code computes. Code looks a sentence up with ``text``; a translator
edits only the tables, and ``missing_translations`` lets a test keep them complete.

Example:
    >>> TABLE = {"best": {"en": "{name} is best", "fa": "{name} بهترین است"}}
    >>> text(TABLE, "best", "en", name="relu")
    'relu is best'
    >>> direction("fa")
    'rtl'
"""

from glassnet.errors import ConfigError

LANGUAGES = ("en", "fa")


def check_language(lang: str) -> str:
    """``lang`` if glassnet speaks it, else a ConfigError listing the languages."""
    if lang not in LANGUAGES:
        raise ConfigError(
            f"language: expected one of {list(LANGUAGES)}, but got {lang!r}. "
            "Use 'en' for English or 'fa' for Persian."
        )
    return lang


def text(table: dict, key: str, lang: str = "en", **values) -> str:
    """The sentence ``key`` of ``table`` in ``lang``, with ``values`` filled in."""
    return table[key][check_language(lang)].format(**values)


def direction(lang: str) -> str:
    """The writing direction of ``lang`` for HTML's ``dir`` attribute: "rtl" or "ltr"."""
    return "rtl" if check_language(lang) == "fa" else "ltr"


def missing_translations(table: dict) -> list[str]:
    """``key:lang`` for every entry of ``table`` that lacks a language or is empty."""
    return [f"{key}:{lang}" for key, entry in table.items() for lang in LANGUAGES
            if not entry.get(lang, "").strip()]
