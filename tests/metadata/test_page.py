"""Tests for pipeline.metadata.page: metadata of real pages and of small inline pages."""
from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.document import date_precision
from pipeline.metadata.page import HtmlMetadata, extract_html_metadata

FIXTURES = Path(__file__).parents[1] / "fixtures" / "meta"

PAGES = [
    # (fixture key, page URL, title, authors, date_published)
    ("1a8b857b655cbbb4",
     "https://www.l-mag.de/news-1010/holocaust-gedenktag-lesbische-erinnerungskultur-mit-stolpersteinverlegung.html?L=422",
     "Holocaust-Gedenktag: Lesbische Erinnerungskultur mit Stolpersteinverlegung", ["Claudia Lindner"], "2022-01-27"),
    ("b0b77e84ea7a1816", "https://fivethirtyeight.com/features/the-2020-endorsement-race-is-getting-interesting/",
     "The 2020 Endorsement Race Is Getting Interesting", ["Perry Bacon Jr."], "2020-01-28T10:55:52+00:00"),  # its article:published_time
    # the first date after the h1 sits inside a sentence of the prose ("entre le 21 juin et le 15
    # novembre 2019"): no dateline, so JSON-LD's date stands
    ("2539cd982f3cd324",
     "https://www.ledevoir.com/politique/montreal/573258/la-fin-des-trottinettes-en-libre-service-a-montreal",
     "La fin des trottinettes en libre-service à Montréal", ["Jeanne Corriveau"], "2020-02-19T00:00:00-05:00"),
    ("a36f479981ddbc94",
     "https://www.computerbild.de/artikel/cb-News-Freizeit-Bundesliga-Dortmund-Moenchengladbach-live-sehen-24356155.html",
     "Bundesliga: Dortmund - Gladbach live sehen!", ["Dennis Kochinky"], "2019-10-19T15:30:00+02:00"),
    ("f8f22af824dc6154", "https://www.autohaus.de/nachrichten/autohersteller/skoda-der-lange-weg-zum-strom-2980654",
     "Skoda: Der lange Weg zum Strom", ["Peter Maahn"], "2021-11-03"),
]


HEADLINES = [
    # (fixture, page URL, title)
    # an h2 printing the headline JSON-LD and the meta fields agree on outvotes a shorter h1
    # (WCXB 1657, seniorliving.org; WCXB 4809, ecovacs.com; dev/meta tonight.de)
    ("wcxb_1657.html.gz", "https://www.seniorliving.org/insurance/travel/best/",
     "Best Travel Insurance for Seniors in 2025"),
    ("wcxb_4809.html.gz", "https://www.ecovacs.com/us/blog/how-does-robot-vacuum-mapping-work",
     "How Does Robot Vacuum Mapping Work"),
    ("ba530ece35ce2d63.html.gz", "https://www.tonight.de/unterhaltung/promis/"
     "daniela-buechner-danni-und-ennesto-monte-trennen-sich-arschloch_114240.html",
     "„Arschloch“: Danni Büchner und Ennesto Monté trennen sich"),
    # the h1's styled first letter runs into its word (WCXB 0468)
    ("wcxb_0468.html.gz", "https://kill-the-newsletter.com/feeds/5ncy5p8slckb9a7cmw4x/entries/ujfb125tjzxi56y9qfpd.html",
     "How AI Can Cut Your Planning Cycle From Two Weeks to Two Days"),
    # "<title>The Fold-and-Cut Problem (Erik Demaine)</title>" backs the second h1, over a first
    # h1 that is a fragment of a heading (WCXB 0406)
    ("wcxb_0406.html.gz", "https://erikdemaine.org/foldcut", "The Fold-and-Cut Problem"),
]


@pytest.mark.parametrize("name, url, title", HEADLINES)
def test_real_page_headlines(name, url, title):
    html = gzip.decompress((FIXTURES / name).read_bytes()).decode("utf-8", errors="replace")
    assert extract_html_metadata(html, url=url).title == title


@pytest.mark.parametrize("key, url, title, authors, published", PAGES)
def test_real_pages(key, url, title, authors, published):
    html = (FIXTURES / f"{key}.html").read_text(encoding="utf-8", errors="replace")
    meta = extract_html_metadata(html, url=url)
    assert (meta.title, meta.authors, meta.date_published) == (title, authors, published)


DATED_PAGES = [
    # (WCXB fixture, page URL, date_published, date_precision): dates where the structured
    # fields, htmldate and the dateline disagree
    ("0481", "https://spectrecollie.com/2025/12/18/are-ai-evangelists-in-heat",
     "2025-12-18T19:05:00-08:00", "second"),  # the URL's day, with the <time> of that day in its zone
    ("0212", "https://www.pcworld.com/article/582896/best-streaming-tv-service.html",
     "2025-11-25T05:00:00-08:00", "second"),  # a day-only meta date, its time from the dateline
    ("0158", "https://www.slatenyc.com/resources/how-much-should-i-pay-for-cleaning-in-san-diego",
     "2024-01-31", "day"),  # the dateline, not a re-stamped JSON-LD date
    ("0398", "https://blog.firedrake.org/archive/2025/12/Advent_of_Code_2025_week_2.html",
     "2025-12-20", "day"),  # the dateline, not htmldate's 2014-01-01 from the page's text
    ("0096", "https://www.bhf.org.uk/informationsupport/heart-matters-magazine/nutrition/eat-well-on-a-budget/"
     "sample-menus", "2025-11-12", "day"),  # the visible date; no time is made up for it
    # the article's <time> sits in a layout wrapper named for a sidebar that also holds the h1:
    # inside the article, so a teaser's "18 Dec 2025" further down does not win
    ("0457", "https://www.scottishconstructionnow.com/articles/and-finally-trouble-brewing",
     "2025-12-19T00:00:00+00:00", "second"),
    # a dateline inside <time datetime="2024-12-20"> reads "August 28, 2024": the attribute,
    # the text's machine-readable form, is the date (apps.shopify.com)
    ("4715", "https://apps.shopify.com/stories/merchant-tech-stack-klatch-coffee", "2024-12-20", "day"),
    ("4232", "https://www.cherryservers.com/blog/top-private-cloud-providers",
     "2025-10-21", "day"),  # "Published on Oct 21, 2025" in such a wrapper, not a teaser's "Mar 11, 2026"
    # an ambiguous numeric date on an English page, read day-first because the page's other
    # dates (htmldate's search of its markup) name that day and none names the month-first one
    ("0429", "https://playfultones.com/blog/reflections-on-building-a-pixel-perfect-ui-pipeline-in-juce-applications"
     "---part-1", "2025-12-02", "day"),  # <time datetime="02-12-2025">, not 12 February
    ("4690", "https://www.wsetglobal.com/knowledge-centre/blog/2023/october/03/"
     "how-many-wine-types-and-styles-are-there/", "2023-10-03", "day"),  # "03/10/2023" on a British page, not 10 March
    ("4191", "https://enphase.com/blog/homeowners/solar-installation-4-steps-guide-homeowners",
     "2025-01-23", "day"),  # the pre-headline "January 23, 2025" right above the h1
    # htmldate's only find is 2026-01-01, a year ("© 2026") made a day: the page gives no date
    ("4613", "https://eartheasy.com/blogs/live/zero-waste-a-beginners-guide", None, None),
]


AUTHORED_PAGES = [
    # (fixture file, page URL, authors): bylines in places that once hid them
    ("2a1d4b60da3bd7bd.html", "https://ext.theperspective.com/items-we-never-knew-we-wanted/1/", ["Adi Tzlil"]),
    ("wcxb_0165.html.gz", "https://thesocialshepherd.com/blog/top-social-media-agencies-us", ["Jack Shepherd"]),
    ("wcxb_4530.html.gz", "https://www.nationalgeographic.com/health/article/intermittent-fasting-health-benefits",
     ["Daryl Austin"]),
    ("wcxb_4079.html.gz", "https://learn.hms.harvard.edu/insights/all-insights/"
     "benefits-latest-ai-technologies-patients-and-clinicians", ["Lisa D. Ellis"]),
    ("wcxb_0450.html.gz", "https://www.chiark.greenend.org.uk/~cjwatson/blog/debusine-transitions.html", ["Colin Watson"]),
    ("wcxb_0137.html.gz", "https://blogs.chapman.edu/scst/2016/02/09/what-tutoring-is-and-what-tutoring-is-not/",
     ["Halina Goetz"]),
    ("wcxb_0353.html.gz", "https://www.myconsultingoffer.org/what-is-consulting/pros-and-cons-of-consulting/",
     ["Liz Kenny"]),
    ("wcxb_2381.html.gz", "https://blog.scholasticahq.com/post/index-types-for-academic-journal", ["Danielle Padula"]),
    ("wcxb_4688.html.gz", "https://www.cellarbeastwine.com/blog/wine-for-beginners-guide", ["Matt Check"]),
    # "Eingestellt von <span class=fn>der Michel</span>" in the post's own footer ("post-footer")
    ("e640f3907b286aa0.html", "https://bumsbutzener-gumpfen.blogspot.com/2020/04/tach-auch.html", ["der Michel"]),
    # "<h5><em>Von Leonora Holling</em></h5>" under a layout wrapper "has-double-sidebar", beside
    # the meta author "Bund der Energieverbraucher e.V." (an association, not a person)
    ("1e2ba0889ee4e2fb.html", "https://www.energieverbraucher.de/de/preise__312/NewsDetail__18725/.",
     ["Leonora Holling"]),
    # an author box too long to be a byline: its heading is the name, the rest a bio
    ("wcxb_0429.html.gz", "https://playfultones.com/blog/"
     "reflections-on-building-a-pixel-perfect-ui-pipeline-in-juce-applications---part-1", ["Bence Kovács"]),
    # the site's owner: the domain spells the meta author; the site is named as the author is
    ("wcxb_0494.html.gz", "https://blog.guillaume-gomez.fr/articles/2025-12-15+Rust+GCC+backend:+Why+and+how",
     ["Guillaume Gomez"]),
    ("wcxb_4662.html.gz", "https://www.azurefarmlife.com/farm-blog/herbs-and-flowers-for-organic-pest-control-in-the-garden",
     ["annette thurmon"]),
    # "von Rudolf Fischer, Simon Kohler" in the byline, text and label bylines; JSON-LD and the
    # meta author name only the first: on a tie, the source naming more of the backed names
    ("99c2dbf76e9ff1aa.html.gz", "https://ebike-mtb.com/advanced-offroad-pro-race-mtb-fs-test/",
     ["Rudolf Fischer", "Simon Kohler"]),
    # a byline box naming the writer and two reviewers, other byline boxes naming each alone:
    # byline elements do not back each other; the text and label bylines name the writer
    ("wcxb_4193.html.gz", "https://www.energysage.com/solar/solar-panel-installation-guide-what-should-you-expect/",
     ["Emily Walker"]),
    # a testimonial carousel printed twice backs itself no more than once: JSON-LD's Person stands
    ("wcxb_0228.html.gz", "https://www.hubermanlab.com/newsletter/foundational-fitness-protocol", ["Andrew Huberman"]),
    # eight JSON-LD people: the cap on names is for byline boxes (a list of columnists), not the author field
    ("wcxb_0079.html.gz", "https://www.kroll.com/en/reports/m-and-a/cybersecurity-sector-ma-industry-insights-fall-2025",
     ["Nicholas Collins", "Scott Munro", "Matt De La O", "Vineet Asthana", "Rory O'Sullivan", "Corey Maurer",
      "Hamish Shah", "Philipp Bose"]),
    # the JSON-LD author's role runs on to "Atlas Van Lines - 10+ Years ...": no person
    ("wcxb_0072.html.gz", "https://www.atlasvanlines.com/blog/packing-tips-guide", ["Benjamin Johnson"]),
    # one first name: "Posted by David at December 16, 2025", and a label then the name
    ("wcxb_0452.html.gz", "https://davidbau.com/archives/2025/12/16/vibe_coding.html", ["David"]),
    ("wcxb_0113.html.gz", "https://www.easy-lms.com/knowledge-center/online-course-center/what-is-an-online-course/"
     "item12708", ["Eliz"]),
    # "By Role", "By Industry": a menu's filters, no one-name byline
    ("wcxb_0293.html.gz", "https://www.paycom.com/resources/blog/pto-policies-best-practices/", []),
    # the page credits a team; the person named after "Fact checked by" is a reviewer, not its author
    ("wcxb_0044.html.gz", "https://www.investopedia.com/terms/d/digital-marketing.asp", []),
    # the page credits "Resy Staff"; "By Ben Hon" and the like sit in teasers ("teaser5")
    ("wcxb_4340.html.gz", "https://blog.resy.com/2025/11/nyc-michelin-2025/", []),
]


@pytest.mark.parametrize("name, url, authors", AUTHORED_PAGES)
def test_real_page_authors(name, url, authors):
    raw = (FIXTURES / name).read_bytes()
    html = (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8", errors="replace")
    assert extract_html_metadata(html, url=url).authors == authors


# pages that name no person, only the team or company their author fields credit
CREDITED_PAGES = [
    ("wcxb_0219.html.gz", "https://www.podium.com/article/plumbing-industry-trends", ["Podium Staff"]),
    ("wcxb_4223.html.gz", "https://www.workzone.com/blog/how-much-does-project-management-software-cost/",
     ["Workzone Team"]),
    ("wcxb_0439.html.gz", "https://instatunnel.my/blog/windows-ldap-dos-the-integer-overflow-crashing-domain-controllers",
     ["InstaTunnel Team"]),
]
CREDITING = load_config(overlay={"metadata": {"html": {"credit_organisations": True}}})


@pytest.mark.parametrize("name, url, credited", CREDITED_PAGES)
def test_a_page_naming_no_person_has_no_author_unless_credits_are_asked_for(name, url, credited):
    # authors are person names by default; [metadata.html] credit_organisations gives the
    # team the page credits, whole ("Staff" is not cut as a role)
    html = gzip.decompress((FIXTURES / name).read_bytes()).decode("utf-8", errors="replace")
    assert extract_html_metadata(html, url=url).authors == []
    assert extract_html_metadata(html, url=url, config=CREDITING).authors == credited


@pytest.mark.parametrize("key, url, published, precision", DATED_PAGES)
def test_real_page_dates_and_precision(key, url, published, precision):
    html = gzip.decompress((FIXTURES / f"wcxb_{key}.html.gz").read_bytes()).decode("utf-8", errors="replace")
    meta = extract_html_metadata(html, url=url)
    assert (meta.date_published, date_precision(meta.date_published)) == (published, precision)


def test_htmldate_day_that_the_page_marks_as_modified_is_no_publication_day():
    # krioda.com: htmldate answers 2024-05-03, the page's article:modified_time; its
    # datePublished (2024-03-17) is the publication day whatever the source order
    html = gzip.decompress((FIXTURES / "wcxb_0097.html.gz").read_bytes()).decode("utf-8", errors="replace")
    url = "https://www.krioda.com/language-learning-apps-compared/"
    meta = extract_html_metadata(html, url=url)
    assert (meta.dates.get("htmldate"), meta.date_published) == (None, "2024-03-17T19:47:39+00:00")
    config = load_config(overlay={"metadata": {"html": {"date_sources": ["htmldate", "jsonld"]}}})
    assert extract_html_metadata(html, url=url, config=config).date_published == "2024-03-17T19:47:39+00:00"


def test_zone_less_dateline_takes_the_offset_of_the_same_minute():
    # haus.de (trafilatura eval, Apache-2.0): the dateline "25.01.2022 14:47 Uhr" wins the
    # source order; JSON-LD names the same minute with its offset, which it keeps
    html = gzip.decompress((FIXTURES / "65700fca8320b4d5.html.gz").read_bytes()).decode("utf-8", errors="replace")
    meta = extract_html_metadata(html, url="https://www.haus.de/bauen/vorsatzschalung-33656")
    assert (meta.date_published, meta.date_raw, meta.dates.get("text").iso) == (
        "2022-01-25T14:47:35+01:00", "25.01.2022 14:47 Uhr", "2022-01-25T14:47:00")


def test_real_page_site_name_and_canonical():
    html = (FIXTURES / "b0b77e84ea7a1816.html").read_text(encoding="utf-8", errors="replace")
    meta = extract_html_metadata(html, url="https://fivethirtyeight.com/features/x/")
    assert meta.site_name == "FiveThirtyEight"
    assert meta.url == "https://fivethirtyeight.com/features/the-2020-endorsement-race-is-getting-interesting/"
    assert meta.language_hint == "en-us"


GRAPH_PAGE = """<html lang="en"><head>
<title>Talks resume in Doha | Example Times</title>
<meta property="og:title" content="Talks resume in Doha">
<meta property="og:site_name" content="Example Times">
<meta property="article:modified_time" content="2025-03-09T10:00:00+00:00">
<link rel="canonical" href="/world/talks-resume">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "NewsArticle", "headline": "Talks resume in Doha", "datePublished": "2025-03-05T17:48:00+02:00",
  "dateModified": "2025-03-09T10:00:00+00:00", "author": {"@id": "https://example.com/#/person/1"},
  "publisher": {"@type": "Organization", "name": "Example Times"}},
 {"@type": "Person", "@id": "https://example.com/#/person/1", "name": "Jane Doe"}]}</script>
</head><body><h1>Talks resume in Doha</h1>
<div class="comments"><span class="comment-author">Troll McTroll</span><time datetime="2025-03-08">8 March</time></div>
</body></html>"""


def test_json_ld_graph_with_author_reference():
    meta = extract_html_metadata(GRAPH_PAGE, url="https://example.com/world/talks-resume?utm=x")
    assert meta == HtmlMetadata(
        title="Talks resume in Doha", description=None, authors=["Jane Doe"],
        date_published="2025-03-05T17:48:00+02:00", date_raw="2025-03-05T17:48:00+02:00",
        site_name="Example Times", url="https://example.com/world/talks-resume", language_hint="en")


BYLINE_PAGE = """<html><head><title>Stadtrat beschließt neuen Radweg - Musterstadt Kurier</title></head>
<body><header><h1 class="logo">Musterstadt Kurier</h1></header>
<article><h2>Stadtrat beschließt neuen Radweg</h2>
<div class="byline">Von <a href="/autor/anna-roth">Anna Roth</a> und <a href="/autor/ben-kurz">Ben Kurz</a>
 · <span class="date">5. März 2025</span></div>
<p>Der Stadtrat hat am Dienstag beschlossen, einen neuen Radweg zu bauen.</p></article>
<aside class="related"><div class="author">Carla Teaser</div></aside></body></html>"""


def test_byline_links_date_text_and_site_from_title():
    meta = extract_html_metadata(BYLINE_PAGE, url="https://kurier.example/lokales/radweg")
    assert (meta.title, meta.authors, meta.date_published, meta.site_name) == (
        "Stadtrat beschließt neuen Radweg", ["Anna Roth", "Ben Kurz"], "2025-03-05", "Musterstadt Kurier")


def test_url_date_and_reference_date():
    page = "<html><head><title>Budget passed</title></head><body><p>Text.</p></body></html>"
    meta = extract_html_metadata(page, url="https://news.example/2025/03/05/budget-passed/")
    assert (meta.date_published, meta.site_name) == ("2025-03-05", "news.example")
    # a date after the reference date is never published
    future = extract_html_metadata(page, url="https://news.example/2025/03/05/budget-passed/",
                                   reference_date=date(2025, 3, 1))
    assert future.date_published is None


ORGANISATION_AUTHOR = """<html><head><meta name="author" content="Example Times Staff">
<meta property="og:site_name" content="Example Times"><title>Storm warning</title></head>
<body><h1>Storm warning</h1>{byline}</body></html>"""


@pytest.mark.parametrize(("byline", "authors"), [
    # no person named: the desk the author field credits, whole (WCXB's gold names it)
    ("", ["Example Times Staff"]),
    # a person in the byline: the organisation is not an author beside or instead of them
    ('<p class="byline">By Jane Doe</p>', ["Jane Doe"]),
    # a placeholder account is no credit
    ('<p class="byline">admin</p>', ["Example Times Staff"]),
])
def test_organisation_author_only_without_a_person(byline, authors):
    page = ORGANISATION_AUTHOR.format(byline=byline)
    assert extract_html_metadata(page, config=CREDITING).authors == authors
    # by default authors are person names only
    assert extract_html_metadata(page).authors == [a for a in authors if a != "Example Times Staff"]


EDITORS_IN_BYLINE_BOX = """<html><head><title>Best book subscriptions</title>
<script type="application/ld+json">{"@type": "Article", "headline": "Best book subscriptions",
 "author": {"@type": "Person", "name": "Emily Way"}}</script></head><body><h1>Best book subscriptions</h1>
<div class="meta"><div class="credits"><span class="author">Emily Way</span> <span class="author">Paul Rankin</span>
<span class="author">Mary Henn</span> <span class="author">Katie Bandurski</span></div></div>
<p>By Emily Way</p><p>Text of the article, long enough to be one.</p>
<section><div class="x"><div class="y"><div class="author-box"><span class="author-name">Katie Bandurski</span>
</div></div></div></section></body></html>"""


def test_byline_box_naming_editors_loses_to_the_agreed_author():
    # tasteofhome.com (WCXB 0199): a byline box lists the editors beside the writer; JSON-LD and
    # the text byline name the writer only
    assert extract_html_metadata(EDITORS_IN_BYLINE_BOX).authors == ["Emily Way"]


def test_site_account_in_capitals_is_no_person():
    # usatoday.com (WCXB 0106): JSON-LD names the brand as a Person
    page = """<html><head><meta property="og:site_name" content="USA TODAY"><title>New movies</title>
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": "New movies",
     "author": [{"@type": "Person", "name": ", USA TODAY"}]}</script></head>
    <body><h1>New movies</h1><div class="byline"><a href="/staff/1/brian-truitt/">Brian Truitt</a></div>
    </body></html>"""
    assert extract_html_metadata(page).authors == ["Brian Truitt"]


@pytest.mark.parametrize(("byline", "authors"), [
    ("", []),
    ('<p class="byline">Dec. 19, 2025 · Niko Matsakis on behalf of Vision Doc group</p>', ["Niko Matsakis"]),
])
def test_footnotes_are_no_byline(byline, authors):
    # blog.rust-lang.org (WCXB 0379): footnotes are <li id="fn-...">, not hCard "fn" names
    page = f"""<html><head><title>What people love</title></head><body><article><h1>What people love</h1>
    {byline}<p>Text.</p><ol><li id="fn-messitup"><p>And, uh, how can we be sure not to mess it up?
    <a href="#fr-1">↩</a></p></li></ol></article></body></html>"""
    assert extract_html_metadata(page).authors == authors


def test_placeholder_author_is_no_credit():
    page = '<html><head><meta name="author" content="admin"></head><body><h1>Storm warning</h1></body></html>'
    assert extract_html_metadata(page).authors == []


def test_unparseable_page():
    meta = extract_html_metadata("", url="https://www.example.org/a")
    assert (meta.title, meta.site_name, meta.url) == (None, "example.org", "https://www.example.org/a")


TEASER_FIRST_PAGE = """<html><head><title>Main story</title>
<script type="application/ld+json">[
 {"@type": "NewsArticle", "url": "https://example.com/other", "headline": "Other story",
  "datePublished": "2025-02-01", "author": {"@type": "Person", "name": "Teaser Author"}},
 {"@type": "NewsArticle", "mainEntityOfPage": {"@id": "https://www.example.com/main/"}, "headline": "Main story",
  "datePublished": "2025-03-05", "author": [{"@type": "Person", "name": "Ann Main"},
                                           {"@type": "Person", "name": "Bo Second"}]}]</script>
</head><body><h1>Main story</h1></body></html>"""


def test_the_pages_own_json_ld_article_wins_over_teasers():
    meta = extract_html_metadata(TEASER_FIRST_PAGE, url="https://example.com/main")
    assert (meta.title, meta.authors, meta.date_published) == ("Main story", ["Ann Main", "Bo Second"], "2025-03-05")


def test_bad_html_rule_is_refused_loudly(tmp_path):
    from conftest import overlay_config
    from pipeline.config import ConfigError
    with pytest.raises(ConfigError, match=r"\[metadata.html\] url_date\[0\]: .* needs groups"):
        overlay_config(tmp_path, "metadata.html", url_date=["(?P<y>\\d{4})"])


@pytest.mark.parametrize("sources, message", [
    (["jsonld", "meta", "jsonld"], r"date_sources: 'jsonld' is named twice"),
    (["jsonld", "headline"], r"date_sources"),
])
def test_bad_date_sources_are_refused_loudly(tmp_path, sources, message):
    from conftest import overlay_config
    from pipeline.config import ConfigError
    with pytest.raises(ConfigError, match=message):
        overlay_config(tmp_path, "metadata.html", date_sources=sources)


def test_date_source_order_is_configuration(tmp_path):
    from conftest import overlay_config
    page = ('<html><head><meta property="article:published_time" content="2025-03-05T17:48:00+02:00"></head>'
            '<body><h1>Talks resume</h1><p>Published 4 March 2025</p></body></html>')
    assert extract_html_metadata(page).date_published == "2025-03-05T17:48:00+02:00"
    config = overlay_config(tmp_path, "metadata.html", date_sources=["text", "meta"])
    assert extract_html_metadata(page, config=config).date_published == "2025-03-04"
