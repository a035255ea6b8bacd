"""Language of an article body, with langdetect seeded so every run gives the same answer."""
from __future__ import annotations

import numpy as np
from langdetect import DetectorFactory, LangDetectException, detector_factory
from langdetect.detector import Detector

from pipeline import schema


# The [language] table of newsclean.toml.
LanguageSettings = schema.Language

# n-gram profiles as numpy rows, made on first use; cleared when full, which changes no answer
_ROWS_KEPT = 1 << 15


class _ArrayDetector(Detector):
    """langdetect's Detector with its trials' two inner loops done by numpy.

    Each trial multiplies the language probabilities by an n-gram's profile and rescales
    them: here elementwise over arrays, the same float operations in the same order (the
    sum is taken left to right, as ``sum`` does), so the answer and its probability are
    langdetect's to the last bit. The n-grams, the random draws and the stopping rule are
    langdetect's own.
    """

    _rows: dict[str, np.ndarray] = {}

    def _init_probability(self):
        if self.prior_map is not None:
            return np.array(self.prior_map, dtype=float)
        return np.full(len(self.langlist), 1.0 / len(self.langlist))

    def _update_lang_prob(self, prob, word, alpha):
        row = self._rows.get(word)
        if row is None:
            if word is None or word not in self.word_lang_prob_map:
                return False
            if len(self._rows) >= _ROWS_KEPT:
                self._rows.clear()
            row = self._rows[word] = np.array(self.word_lang_prob_map[word], dtype=float)
        prob *= alpha / self.BASE_FREQ + row
        return True

    def _normalize_prob(self, prob):
        prob /= np.cumsum(prob)[-1]
        return prob.max()


def detect_language(text: str, settings: LanguageSettings) -> tuple[str | None, float | None]:
    """ISO 639-1 code and probability of ``text``; ``(None, None)`` when too short to tell.

    Only the first ``max_chars`` characters are read: langdetect is slow, and a few
    paragraphs decide as well as a whole article.
    """
    sample = " ".join(text.split())[: settings.max_chars]
    if sum(map(str.isalpha, sample)) < settings.min_chars:
        return None, None
    detector_factory.init_factory()  # loads the profiles once; a no-op afterwards
    DetectorFactory.seed = settings.seed  # each new detector copies the seed
    try:
        detector = _ArrayDetector(detector_factory._factory)
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
