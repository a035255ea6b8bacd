"""Language of an article body, with langdetect seeded so every run gives the same answer."""
from __future__ import annotations

from langdetect import DetectorFactory, LangDetectException, detector_factory

from pipeline import schema


# The [language] table of newsclean.toml.
LanguageSettings = schema.Language


def detect_language(text: str, settings: LanguageSettings) -> tuple[str | None, float | None]:
    """ISO 639-1 code and probability of ``text``; ``(None, None)`` when too short to tell.

    Only the first ``max_chars`` characters are read: langdetect is slow, and a few
    paragraphs decide as well as a whole article.
    """
    sample = " ".join(text.split())[: settings.max_chars]
    if sum(ch.isalpha() for ch in sample) < settings.min_chars:
        return None, None
    detector_factory.init_factory()  # loads the profiles once; a no-op afterwards
    DetectorFactory.seed = settings.seed  # each new detector copies the seed
    try:
        detector = detector_factory._factory.create()
        detector.append(sample)
        candidates = detector.get_probabilities()
    except LangDetectException:
        return None, None
    if not candidates:
        return None, None
    best = candidates[0]
    # langdetect's own probability, unrounded: a converged trial stops above 0.99999, so
    # rounding to a few places turned almost every score into a certainty of 1.0.
    # langdetect names Chinese variants zh-cn / zh-tw; records carry ISO 639-1
    return best.lang.split("-")[0], float(best.prob)
