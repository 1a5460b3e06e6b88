"""Every page opens in a real chromium, finishes rendering, and shows no exception."""

import pytest

from conftest import assert_no_exception, screenshot, wait_for_app
from playground import catalog

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("info", catalog.PAGES, ids=lambda info: info.url_path)
def test_page_renders_in_browser(page, info):
    url = page.app_url + ("/" if info is catalog.HOME else f"/{info.url_path}")
    page.goto(url)
    wait_for_app(page)
    assert page.locator("h1").first.text_content().strip() == info.title or info is catalog.HOME
    assert_no_exception(page)
    screenshot(page, f"smoke-{info.url_path}")


def test_home_links_open_each_page(page):
    page.goto(page.app_url)
    wait_for_app(page)
    assert "Neural Network Playground" in page.locator("h1").first.text_content()
    for info in catalog.TOPICS:
        page.goto(page.app_url)
        wait_for_app(page)
        page.locator("[data-testid=stMain] [data-testid=stPageLink] a", has_text=info.title).first.click()
        page.wait_for_url(f"**/{info.url_path}*")
        wait_for_app(page)
        assert_no_exception(page)
