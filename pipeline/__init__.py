"""newsclean: a boilerplate-stripping cleaning pipeline for news corpora.

``from pipeline import clean_html, clean_text`` cleans one page or text (see
:mod:`pipeline.api`); importing the package alone loads nothing else.
"""

__version__ = "0.1.0"

_API = ("clean_html", "clean_text")


def __getattr__(name: str):
    # the API pulls in every cleaning step; only those who ask for it pay the import
    if name in _API:
        from pipeline import api
        return getattr(api, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
