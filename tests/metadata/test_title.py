"""Tests for pipeline.metadata.title: real-world title forms with site names, with exact outputs."""
from __future__ import annotations

import pytest

from pipeline.metadata.title import clean_title


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
     "The Guardian view on Hong Kong: a city on the brink"),  # section labels go too
    ("Telegraph Sport: Davis Cup Finals launch in Madrid", "The Telegraph", "Davis Cup Finals launch in Madrid"),
]


@pytest.mark.parametrize("title, site, expected", TITLES)
def test_clean_title(title, site, expected):
    assert clean_title(title, site) == expected


def test_section_label_and_domain_affix():
    assert clean_title("Homestead gardening makes rural communities | District", "BSS", domain="bssnews.net") \
        == "Homestead gardening makes rural communities"
    assert clean_title("Top 5 HR Management Software in 2026 | DianaHR", None, domain="getdianahr.com") \
        == "Top 5 HR Management Software in 2026"
