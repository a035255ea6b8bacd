"""newsclean: a boilerplate-stripping cleaning pipeline for news corpora.

``from pipeline import clean_html, clean_text`` cleans one page or text (see
:mod:`pipeline.api`); ``record_schema()`` and ``record_features()`` describe the records a
run writes (:mod:`pipeline.batch.records`), ``read_run()`` reads them back in any format.
Importing the package alone loads nothing else.
"""

__version__ = "0.1.0"

_API = ("clean_html", "clean_text")
_RECORDS = ("record_schema", "record_features", "record_arrow_schema")
_READING = ("read_run", "read_records")


def __getattr__(name: str):
    # the API pulls in every cleaning step; only those who ask for it pay the import
    if name in _API:
        from pipeline import api
        return getattr(api, name)
    if name in _RECORDS:
        from pipeline.batch import records
        return getattr(records, name)
    if name in _READING:
        from pipeline.batch import writing
        return getattr(writing, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
