"""The ordered step lists: the one place that says what cleans an HTML page and a text.

A new step plugs in by adding its class to a list (or by handing the Cleaner a list of
one's own); no other step changes.
"""
from __future__ import annotations

from pipeline.steps.base import Step
from pipeline.steps.fields import DetectLanguage, ScrubControls
from pipeline.steps.html import ExtractBody, HtmlMetadata, ParseHtml, SafeHtml, TitleRepeat
from pipeline.steps.text import Dateline, LocateRegion, SiteName, TextChrome, TextMetadata, TextLayout

HTML_STEPS: tuple[type[Step], ...] = (
    SafeHtml, ParseHtml, HtmlMetadata, ExtractBody, TitleRepeat, ScrubControls, DetectLanguage)
# the dateline is read after language detection, in the body's language
TEXT_STEPS: tuple[type[Step], ...] = (
    TextLayout, SiteName, LocateRegion, TextChrome, TextMetadata, ScrubControls, DetectLanguage, Dateline)
