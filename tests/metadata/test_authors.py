"""Tests for the metadata normalisers: real-world bylines, datelines and title forms from many sites
and languages (English, German, French, Spanish, Italian, Dutch, Chinese...), with exact outputs."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.config import ConfigError
from pipeline.metadata.authors import is_person_name, looks_like_byline, normalise_authors
from pipeline.metadata.dates import ParsedDate, parse_date
from pipeline.metadata.title import clean_title

BYLINES = [
    # (byline or author field(s), site name, expected person names)
    ("By Bob Cronin,  Newser Staff", "Newser", ["Bob Cronin"]),
    ("Barak Ravid", None, ["Barak Ravid"]),
    ("By JOHN SMITH, Associated Press", None, ["John Smith"]),
    ("By Emily Rauhala and Michael Birnbaum", None, ["Emily Rauhala", "Michael Birnbaum"]),
    ("By Kate Kelland | Reuters", None, ["Kate Kelland"]),
    ("Jane Doe For Dailymail.com", None, ["Jane Doe"]),
    ("By Chris Pleasance for MailOnline", None, ["Chris Pleasance"]),
    ("By Alex Hern, Technology editor", None, ["Alex Hern"]),
    ("Written by Sarah Johnson, Staff Writer", None, ["Sarah Johnson"]),
    ("By Sebastian Drescher, Correspondent", None, ["Sebastian Drescher"]),
    ("By Mike Isaac & Kate Conger", None, ["Mike Isaac", "Kate Conger"]),
    ("Isabel Caro, Rocío Latorre y José Miguel Wilson", None, ["Isabel Caro", "Rocío Latorre", "José Miguel Wilson"]),
    ("Lisa Rein, Washington Post", None, ["Lisa Rein"]),
    ("By Jane Doe @janedoe", None, ["Jane Doe"]),
    ("John Smith (john.smith@example.com)", None, ["John Smith"]),
    ("cipha[at]cipha.net", None, []),
    ("https://www.facebook.com/johnsmith", None, []),
    (["Jane Doe", "jane doe", "John Roe"], None, ["Jane Doe", "John Roe"]),
    ("Perry Bacon Jr.", None, ["Perry Bacon Jr."]),
    ("By SARAH LYALL", None, ["Sarah Lyall"]),
    ("View all posts by Daniel Lemire", None, ["Daniel Lemire"]),
    ("Jobs", None, []),
    ("Posted by admin", None, []),
    ("By The Associated Press", None, []),
    ("AP", None, []),
    ("dpa", None, []),
    ("Staff Reporter", None, []),
    ("Newsroom", None, []),
    ("Redacción Diario Pagina Siete", "Diario Pagina Siete", []),
    ("El Colombiano", "www.elcolombiano.com", []),
    ("Von Anna Müller und Peter Schmidt", None, ["Anna Müller", "Peter Schmidt"]),
    ("Von Katrin Elger, Hamburg", None, ["Katrin Elger"]),
    ("Anna Schmidt (dpa)", None, ["Anna Schmidt"]),
    ("Michael Rädel, Redaktion", None, ["Michael Rädel"]),
    ("Peter Maahn/SP-X", None, ["Peter Maahn"]),
    ("Autor: Max Mustermann", None, ["Max Mustermann"]),
    ("Text: Klaus Meier / Fotos: Anna Roth", None, ["Klaus Meier"]),
    ("Erstellt von Anna Roth", None, ["Anna Roth"]),
    ("Veröffentlicht von HansG", None, ["HansG"]),
    ("Ein Interview von Eugen Zentner", None, ["Eugen Zentner"]),
    ("Von Hans Meier · 12. März 2024", None, ["Hans Meier"]),
    ("Tobias Kuske | 12.03.2021", None, ["Tobias Kuske"]),
    ("29. Juni 2017, Tobi", None, ["Tobi"]),
    ("Eurosport Publiziert 12.03.2021", "Eurosport Deutschland", []),
    ("1 Minute", None, []),
    ("Par Marie Dupont et Jean Martin", None, ["Marie Dupont", "Jean Martin"]),
    ("par Léa Salamé, envoyée spéciale à Kiev", None, ["Léa Salamé"]),
    ("Publié par Jean Dupont le 5 mars 2025", None, ["Jean Dupont"]),
    ("Par Le Figaro avec AFP", "Le Figaro", []),
    ("Por Juan Pérez y María García", None, ["Juan Pérez", "María García"]),
    ("Por EFE", None, []),
    ("Di Mario Rossi", None, ["Mario Rossi"]),
    ("Pubblicato da Giulia Bianchi", None, ["Giulia Bianchi"]),
    ("Door Jan de Vries", None, ["Jan de Vries"]),
    ("By Alex Bozarjian Thursday, November 9, 2023 3:11PM", None, ["Alex Bozarjian"]),
    ("Posted on 2015-04-05 by marc", None, ["marc"]),
    ("责任编辑：  焦鹏", None, ["焦鹏"]),
    ("By John E. Smith", None, ["John E. Smith"]),
    ("Analysis by Chris Cillizza", None, ["Chris Cillizza"]),
    ("Photos by Anna Roth", None, []),
    ("Text: Klaus Meier / Photos by Anna Roth", None, ["Klaus Meier"]),
    ("Reuters, Washington", None, []),
    ("Telegraph Sport", "The Telegraph", []),
    ("PTI", None, []),
    ("Anna", "annabelle.de", ["Anna"]),
]


@pytest.mark.parametrize("raw, site, expected", BYLINES)
def test_normalise_authors(raw, site, expected):
    assert normalise_authors(raw, site_name=site) == expected


DATELINES = [
    # (dateline or date field, reference date, languages, expected ISO or None when unresolved)
    ("Published: March 5, 2025, 5:48 pm", None, None, "2025-03-05T17:48:00"),
    ("Posted Mar 5, 2025 5:23 PM CST", None, None, "2025-03-05T17:23:00-06:00"),
    ("Updated 10:23 AM EST, Wed March 5, 2025", None, ["en"], "2025-03-05T10:23:00-05:00"),
    ("Wednesday 5 March 2025 17.48 GMT", None, ["en"], "2025-03-05T17:48:00+00:00"),
    ("March 5, 2025", None, None, "2025-03-05"),
    ("Dec. 4, 2023", None, ["en"], "2023-12-04"),
    ("On 5 March 2025", None, ["en"], "2025-03-05"),
    ("1 month ago", None, None, None),
    ("1 month ago", date(2025, 4, 5), None, "2025-03-05"),
    ("yesterday", date(2025, 3, 6), ["en"], "2025-03-05"),
    ("3 hours ago", date(2025, 3, 5), ["en"], "2025-03-05"),
    ("5. März 2025", None, None, "2025-03-05"),
    ("5. März 2025", None, ["de"], "2025-03-05"),
    ("Veröffentlicht am 05.03.2025, 17:48 Uhr", None, ["de"], "2025-03-05T17:48:00"),
    ("Stand: 05.03.2025 17:48 Uhr", None, ["de"], "2025-03-05T17:48:00"),
    ("05.03.2025", None, None, "2025-03-05"),
    ("12.03.2021 | 14:30", None, None, "2021-03-12T14:30:00"),
    ("vor 3 Tagen", date(2025, 3, 8), ["de"], "2025-03-05"),
    ("vor 3 Tagen", None, ["de"], None),
    ("Publié le 5 mars 2025 à 17h48", None, ["fr"], "2025-03-05T17:48:00"),
    ("Mis à jour le 06/03/2025 à 09h12", None, ["fr"], "2025-03-06T09:12:00"),
    ("il y a 3 jours", date(2025, 3, 8), ["fr"], "2025-03-05"),
    ("Publicado el 5 de marzo de 2025", None, ["es"], "2025-03-05"),
    ("hace 2 días", date(2025, 3, 7), ["es"], "2025-03-05"),
    ("4 dicembre 2023", None, ["it"], "2023-12-04"),
    ("04-12-2023", None, ["nl"], "2023-12-04"),
    ("5 марта 2025", None, ["ru"], "2025-03-05"),
    ("2025年3月5日", None, ["zh"], "2025-03-05"),
    ("05/03/2025", None, ["en"], "2025-05-03"),
    ("05/03/2025", None, ["en-GB"], "2025-03-05"),
    ("05/03/2025", None, ["de"], "2025-03-05"),
    ("2025-03-05T17:48:00+01:00", None, None, "2025-03-05T17:48:00+01:00"),
    ("2025-03-05T16:48:00Z", None, None, "2025-03-05T16:48:00+00:00"),
    ("2025-03-05T17:48:00.000+0100", None, None, "2025-03-05T17:48:00+01:00"),
    ("2025-03-05", None, None, "2025-03-05"),
    ("5 March 2030", date(2025, 3, 6), ["en"], None),
    ("Von Deutscher Tennis Bund 4. 2. 2022.", None, ["de"], "2022-02-04"),
    ("Updated March 6, 2025 | Published March 5, 2025", None, ["en"], "2025-03-05"),
    ("March 5, 2025 (updated March 6, 2025)", None, ["en"], "2025-03-05"),
    ("Aktualisiert am 06.03.2025, veröffentlicht am 05.03.2025", None, ["de"], "2025-03-05"),
    ("Stand: 06.03.2025 | Erstellt: 05.03.2025", None, ["de"], "2025-03-05"),
    ("0001-01-01T00:00:00+00:00", None, None, None),
]


@pytest.mark.parametrize("text, reference, languages, expected", DATELINES)
def test_parse_date(text, reference, languages, expected):
    assert parse_date(text, reference_date=reference, languages=languages) == ParsedDate(iso=expected, raw=text)


@pytest.mark.parametrize("text", ["Barak Ravid", "Jobs", "", "Share this article", "2 min read"])
def test_parse_date_without_a_date(text):
    assert parse_date(text) is None


TITLES = [
    # (title as found, site name, headline)
    ("Sport macht glücklich - FIT FOR FUN", "FIT FOR FUN", "Sport macht glücklich"),
    ("Newser | US Holds Direct Talks With Hamas", "Newser", "US Holds Direct Talks With Hamas"),
    ("Apple unveils new iPhone - BBC News", "BBC News", "Apple unveils new iPhone"),
    ("Apple unveils its new iPhone - BBC News", None, "Apple unveils its new iPhone"),
    ("Klimaschutz: Was jetzt zu tun ist | tagesschau.de", "tagesschau.de", "Klimaschutz: Was jetzt zu tun ist"),
    ("Le gouvernement présente son budget - Le Monde", "Le Monde", "Le gouvernement présente son budget"),
    ("El Gobierno aprueba la reforma | EL PAÍS", "El País", "El Gobierno aprueba la reforma"),
    ("How to fix your router – The Verge", "The Verge", "How to fix your router"),
    ("heise online: Neue CPU vorgestellt", "heise online", "Neue CPU vorgestellt"),
    ("Rutger Bregman: Unser wahres Ich - brand eins online", "brandeins.de", "Rutger Bregman: Unser wahres Ich"),
    ("Raab: Neue Rahmenbedingungen - Bundeskanzleramt Österreich", "bundeskanzleramt.gv.at",
     "Raab: Neue Rahmenbedingungen"),
    ("Get in the Spooky Spirit - My Daily Magazine - Art, Design, DIY", "My Daily Magazine - Art, Design, DIY",
     "Get in the Spooky Spirit"),
    ("«Gute Löhne alleine reichen nicht»", "volksstimme.ch", "Gute Löhne alleine reichen nicht"),
    ("23.01.2022 - Dorothea Wierer darf jubeln", None, "Dorothea Wierer darf jubeln"),
    ("Biden - Trump debate recap", None, "Biden - Trump debate recap"),
    ("Review: The Last of Us Part II", None, "Review: The Last of Us Part II"),
    ("Newser", "Newser", "Newser"),
    ("Ben Wilson Surf - Point of Sail - Segelmacher und Surfshop in Kiel", "pointofsail-kiel.de", "Ben Wilson Surf"),
    ("The Guardian view on Hong Kong: a city on the brink | Editorial | Opinion | The Guardian", "the Guardian",
     "The Guardian view on Hong Kong: a city on the brink | Editorial | Opinion"),
    ("Telegraph Sport: Davis Cup Finals launch in Madrid", "The Telegraph", "Davis Cup Finals launch in Madrid"),
]


@pytest.mark.parametrize("title, site, expected", TITLES)
def test_clean_title(title, site, expected):
    assert clean_title(title, site) == expected


@pytest.mark.parametrize("line, expected", [
    ("By Bob Cronin,  Newser Staff", True),
    ("Von Claudia Lindner", True),
    ("Par Marie Dupont", True),
    ("Text: Klausmartin Friedrich", True),
    ("---- by Kenneth Surin", True),
    ("By the end of the year, prices had risen sharply across the region.", False),
    ("By 2030, emissions must fall by half", False),
    ("By Reuters", False),
    ("Barak Ravid", False),
    ("Details of the Talks", False),
])
def test_looks_like_byline(line, expected):
    assert looks_like_byline(line) is expected


@pytest.mark.parametrize("text, expected", [
    ("Barak Ravid", True), ("Jan de Vries", True), ("Jean-Luc Mélenchon", True),
    ("the talks", False), ("Newser Staff", False), ("Bob", False),
])
def test_is_person_name(text, expected):
    assert is_person_name(text) is expected


def test_bad_rule_is_refused_loudly(tmp_path):
    from conftest import overlay_config
    with pytest.raises(ConfigError, match=r"\[metadata.authors\] prefix: bad regex"):
        overlay_config(tmp_path, "metadata.authors", prefix="(unclosed")
