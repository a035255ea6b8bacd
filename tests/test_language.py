from langdetect import DetectorFactory, detect_langs

from pipeline.config import load_config
from pipeline.language import LanguageSettings, detect_language

SETTINGS = load_config().settings.language


def test_english_body_is_english_with_langdetects_own_probability():
    text = ("The Trump administration has been holding direct talks with Hamas over the release "
            "of U.S. hostages held in Gaza and the possibility of a broader deal to end the war.")
    DetectorFactory.seed = SETTINGS.seed
    best = detect_langs(text)[0]
    # unrounded: langdetect's converged trials stop just above 0.99999, never at 1.0
    assert detect_language(text, SETTINGS) == ("en", best.prob)
    assert 0.99999 < best.prob < 1.0


def test_german_and_french_bodies():
    de = "Die Feuerwehr hat am Montag die Ausbildung der neuen Bootsführer abgeschlossen und zieht eine positive Bilanz."
    fr = "Le gouvernement a annoncé mardi une nouvelle réforme des retraites, qui sera présentée au Parlement en juin."
    assert detect_language(de, SETTINGS)[0] == "de"
    assert detect_language(fr, SETTINGS)[0] == "fr"


def test_too_short_text_says_so_rather_than_guess():
    assert detect_language("Hi there", SETTINGS) == (None, None)
    assert detect_language("", SETTINGS) == (None, None)


def test_same_text_same_answer_every_time():
    text = "Ciao a tutti, oggi parliamo della nuova legge di bilancio approvata dal governo italiano."
    first = detect_language(text, SETTINGS)
    assert all(detect_language(text, SETTINGS) == first for _ in range(5))


def test_only_the_packaged_sample_is_read():
    english = ("The council met on Tuesday evening to vote on the budget for the coming year, and after a long "
               "debate about schools, roads and the library the members agreed to raise the local tax by two "
               "percent. ")
    german = ("Die Feuerwehr hat am Montag die Ausbildung der neuen Bootsführer abgeschlossen und zieht eine "
              "positive Bilanz für das ganze Jahr. ")
    text = english * 2 + german * 20
    assert len(english * 2) < SETTINGS.max_chars < len(text) // 2
    assert detect_language(text, SETTINGS)[0] == "en"
    assert detect_language(" ".join(text.split())[SETTINGS.max_chars:], SETTINGS)[0] == "de"


def test_array_detector_gives_langdetects_own_probabilities_to_the_last_bit():
    from langdetect import detector_factory
    from langdetect.detector import Detector

    from pipeline.language import _ArrayDetector

    texts = [
        "The council met on Tuesday evening to vote on the budget for the coming year.",
        "Die Feuerwehr hat am Montag die Ausbildung der neuen Bootsführer abgeschlossen.",
        "Le gouvernement a annoncé mardi une nouvelle réforme des retraites.",
        "El ayuntamiento aprobó el lunes el presupuesto para el año que viene.",
        "Правительство объявило во вторник о новой реформе пенсионной системы.",
        "政府は火曜日、年金制度の新たな改革を発表した。",
        "Ciao a tutti, oggi parliamo della nuova legge di bilancio. The end.",
    ]
    detector_factory.init_factory()
    DetectorFactory.seed = SETTINGS.seed
    for text in texts:
        ours, theirs = _ArrayDetector(detector_factory._factory), Detector(detector_factory._factory)
        ours.append(text)
        theirs.append(text)
        got = [(c.lang, float(c.prob)) for c in ours.get_probabilities()]
        assert got == [(c.lang, c.prob) for c in theirs.get_probabilities()]
        assert got and got[0][1] > 0.5
