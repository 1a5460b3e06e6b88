"""A link with values the page cannot use, in a real chromium: the notice, then the corrected address."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from conftest import assert_no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_a_bad_link_shows_one_notice_and_the_address_is_corrected(page):
    page.goto(page.app_url + "/optimizers?lang=en&opt.steps=abc&opt.surface=moon&opt.r1.own=maybe&opt.seed=7")
    wait_for_app(page)
    assert_no_exception(page)
    notice = page.locator("[data-testid=stAlert]", has_text="This link asks for values the page cannot use")
    expect(notice).to_have_count(1, timeout=30_000)
    text = notice.inner_text()
    for line in ("Steps (opt.steps): the link says “abc”, the page uses 200.",
                 "Loss surface (opt.surface): the link says “moon”, the page uses Rosenbrock (banana valley).",
                 "own start (opt.r1.own): the link says “maybe”, the page uses off."):
        assert line in text, text
    # The notice sits at the top of the page, above its title.
    assert notice.bounding_box()["y"] < page.locator("[data-testid=stMain] h1").first.bounding_box()["y"]
    # The address now says what the page shows: the bad values are gone, the good ones stay.
    page.wait_for_url(re.compile(r"^(?!.*(abc|moon|maybe)).*$"), timeout=30_000)
    query = parse_qs(urlparse(page.url).query)
    assert query.get("opt.seed") == ["7"] and query.get("lang") == ["en"], page.url
    assert not {"opt.steps", "opt.surface", "opt.r1.own"} & set(query), page.url
    screenshot(page, "url-check-notice")

    # Told once: the next rerun (a setting moved) shows no notice.
    page.get_by_role("slider", name="Number of runs").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(r"opt\.runs=3"), timeout=30_000)
    wait_for_app(page)
    expect(notice).to_have_count(0, timeout=30_000)
