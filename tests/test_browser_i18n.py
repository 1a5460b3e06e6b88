"""Languages in a real chromium: Chinese pages show Chinese (and render its glyphs), each session
keeps its own language, the browser's locale decides without ?lang=, the switch keeps the URL,
and no page fetches anything from outside the app's own server."""

from __future__ import annotations

import re
import struct
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import assert_no_exception, screenshot, wait_for_app
from i18n_utils import COVERED_PAGES, english_words
from playground import catalog
from playground.i18n import translator

pytestmark = pytest.mark.browser

ZH = translator("zh")
BY_SCRIPT = {info.script: info for info in catalog.PAGES}
CJK = re.compile(r"[\u4e00-\u9fff]")
# What a person reads: visible text, chart SVG text; not the names of Material icons (ligatures).
PAGE_TEXT = """() => {
    const icons = new Set([...document.querySelectorAll('[data-testid=stIconMaterial], [data-testid=stExpanderIcon], ' + '[data-testid=stAlertDynamicIcon]')].map(e => e.textContent.trim()));
    const lines = [...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebar]')]
        .flatMap(e => e.innerText.split('\\n'))
        .map(line => [...icons].reduce((text, icon) => text.startsWith(icon + ' ') ? text.slice(icon.length + 1) : text,
                                       line.trim()));  // an icon inside a text (":material/info: ...")
    // Streamlit's own file-uploader texts ("Drag and drop file here", "Upload", "200MB per file • CSV"): no API translates them.
    const own = new Set([...document.querySelectorAll('[data-testid=stFileUploaderDropzone] small, '
                         + '[data-testid=stFileUploaderDropzone] span, [data-testid=stFileUploaderDropzone] button')]
                        .map(e => e.innerText.trim()));
    return [...lines.filter(line => !icons.has(line) && !own.has(line)),
            ...[...document.querySelectorAll('.js-plotly-plot svg text')].map(t => t.textContent),
            ...[...document.querySelectorAll('[data-testid=stMain] input, [data-testid=stSidebar] input')]
                .map(input => input.value)];  // a selectbox shows its choice in an input
}"""


GLYPHS_DIFFER = """() => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 48;
    const pen = canvas.getContext('2d');
    pen.font = '40px ' + getComputedStyle(document.querySelector('h1')).fontFamily;
    const pixels = (text) => { pen.clearRect(0, 0, 48, 48); pen.fillText(text, 2, 40);
                               return pen.getImageData(0, 0, 48, 48).data.join(','); };
    return pixels('神') !== pixels('经');
}"""


def path_of(script: str) -> str:
    info = BY_SCRIPT[script]
    return "" if info is catalog.HOME else info.url_path


def heading(page) -> str:
    return page.locator("[data-testid=stMain] h1").first.text_content().strip()


@pytest.mark.parametrize("script", COVERED_PAGES, ids=lambda script: path_of(script) or "home")
def test_chinese_page_shows_chinese_and_no_stray_english(page, script):
    page.goto(f"{page.app_url}/{path_of(script)}?lang=zh")
    wait_for_app(page)
    page.wait_for_timeout(500)  # charts draw their SVG text after the script has finished
    assert_no_exception(page)
    texts = page.evaluate(PAGE_TEXT)
    assert CJK.search(" ".join(texts)), "no Chinese on the page"
    leftovers = {text.strip()[:100]: sorted(words) for text in texts for words in [english_words(text)] if words}
    assert not leftovers, leftovers
    # The glyphs themselves: without a CJK font every character is the same empty box ("tofu").
    # Noto CJK comes from Debian's fonts-noto-cjk (installed by .ci/run).
    assert page.evaluate(GLYPHS_DIFFER), "Chinese characters render as identical boxes: no CJK font"
    screenshot(page, f"i18n-zh-{path_of(script) or 'home'}")


def test_two_sessions_at_once_each_see_their_own_language(browser, streamlit_server):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720}) for _ in range(2)]
    chinese, english = (context.new_page() for context in contexts)
    try:
        chinese.goto(f"{streamlit_server}/activations?lang=zh", wait_until="commit")
        english.goto(f"{streamlit_server}/activations?lang=en", wait_until="commit")
        for tab in (chinese, english):
            wait_for_app(tab)
        assert heading(chinese) == "激活函数" and heading(english) == "Activations"
        # Both switch at once; neither drags the other along.
        chinese.get_by_text("English", exact=True).click()
        english.get_by_text("中文", exact=True).click()
        chinese.wait_for_function("() => document.querySelector('h1')?.textContent.includes('Activations')")
        english.wait_for_function("() => document.querySelector('h1')?.textContent.includes('激活函数')")
        for tab in (chinese, english):
            wait_for_app(tab)
        assert heading(chinese) == "Activations" and heading(english) == "激活函数"
        assert "lang=en" in chinese.url and "lang=zh" in english.url
    finally:
        for context in contexts:
            context.close()


@pytest.mark.parametrize(("locale", "title"), [("zh-CN", "激活函数"), ("en-US", "Activations")])
def test_without_lang_the_browser_locale_decides(browser, streamlit_server, locale, title):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale=locale)
    try:
        tab = context.new_page()
        tab.goto(f"{streamlit_server}/activations")
        wait_for_app(tab)
        assert heading(tab) == title
        tab.wait_for_url(re.compile(r"lang=(zh|en)"))  # the link now carries its language
    finally:
        context.close()


def test_switching_language_keeps_the_settings_in_the_url(page):
    settings = {"opt.surface": "ravine", "opt.r1.lr": "0.2", "opt.steps": "120", "opt.r2.method": "adam"}
    page.goto(f"{page.app_url}/optimizers?lang=en&" + "&".join(f"{k}={v}" for k, v in settings.items()))
    wait_for_app(page)
    page.get_by_text("中文", exact=True).click()
    page.wait_for_function("() => document.querySelector('h1')?.textContent.includes('优化器')")
    wait_for_app(page)
    query = {key: values[0] for key, values in parse_qs(urlparse(page.url).query).items()}
    assert query == {**settings, "lang": "zh"}
    surface = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first
    assert ZH("Elongated valley (ravine)") in surface.inner_text() + surface.locator("input").first.input_value()
    assert_no_exception(page)
    screenshot(page, "i18n-zh-optimizers-switched")


def test_no_request_leaves_the_app(browser, streamlit_server):
    """A classroom network may reach only the app's own server: icons, fonts and scripts come from it.
    The tab's icon is the app's own PNG (assets/icon.png) on every page, not an emoji a machine
    without an emoji font shows as a box."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    outside, favicons = [], {}
    context.on("request", lambda request: outside.append(request.url)
               if not request.url.startswith((streamlit_server, "data:", "blob:", "about:")) else None)  # fmt: skip
    try:
        tab = context.new_page()
        # Every page in Chinese (the language that needs the most glyphs), and Home in English too.
        for info, lang in [(info, "zh") for info in catalog.PAGES] + [(catalog.HOME, "en")]:
            tab.goto(f"{streamlit_server}/{'' if info is catalog.HOME else info.url_path}?lang={lang}")
            wait_for_app(tab)
            favicons[f"{info.url_path}?lang={lang}"] = tab.evaluate(
                "() => [...document.querySelectorAll('link[rel~=icon]')].map(link => link.href)")
        tab.wait_for_timeout(1000)
    finally:
        context.close()
    assert outside == [], sorted(set(outside))
    for where, hrefs in favicons.items():
        assert hrefs and all(href.startswith(f"{streamlit_server}/media/") for href in hrefs), (where, hrefs)
    with urllib.request.urlopen(favicons["home?lang=en"][0], timeout=10) as response:
        icon = response.read()
    assert icon.startswith(b"\x89PNG\r\n\x1a\n") and len(icon) < 4096, "a small PNG"
    assert struct.unpack(">II", icon[16:24]) == (32, 32), "the icon's size in its IHDR header"
