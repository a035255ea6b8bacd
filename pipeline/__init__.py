"""newsclean: a boilerplate-stripping cleaning pipeline for news corpora."""

__version__ = "0.1.0"
