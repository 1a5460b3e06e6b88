"""Every page opens in a real chromium, finishes rendering, and shows no exception."""

from urllib.parse import urlparse

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


@pytest.mark.parametrize("info", catalog.PAGES, ids=lambda info: info.url_path)
def test_deep_link_is_first_visit_of_a_fresh_server(new_tab, fresh_server, info):
    """A teacher's link opened before anyone visited `/` still gets the app shell:
    wide layout, the registry's page titles in the sidebar, and the page's own title."""
    path = "" if info is catalog.HOME else info.url_path  # the default page lives at "/"
    new_tab.goto(f"{fresh_server}/{path}")
    wait_for_app(new_tab)
    assert_no_exception(new_tab)
    nav = new_tab.locator("[data-testid=stSidebarNav]").inner_text()
    for other in catalog.PAGES:
        assert other.title in nav, nav
    main_width = new_tab.locator("[data-testid=stMainBlockContainer]").bounding_box()["width"]
    assert main_width > 900, "wide layout from app.py's page config"
    assert urlparse(new_tab.url).path.rstrip("/").endswith(path)  # the query now carries ?lang=
    expected = "Neural Network Playground" if info is catalog.HOME else info.title
    assert new_tab.locator("h1").first.text_content().strip() == expected
    assert new_tab.locator("[data-testid=stDialog]").count() == 0, "no 'page not found' dialog"
