"""The browser console stays clean: a visit of every page logs no error and throws no exception.

One allowance, and only for a page opened by its own address (not "/"): two 404s that
Streamlit's own frontend asks for, which no app setting avoids in streamlit 1.67 (see
ALLOWED_404S). Any other console error, 404 or uncaught exception fails the test.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from conftest import assert_no_exception, wait_for_app
from playground import catalog

pytestmark = pytest.mark.browser

# Streamlit's frontend cannot know the server's base path from a static index.html, so it guesses:
# getPossibleBaseUris() (`PD()` in streamlit/static/static/js/index.*.js) tries the page's own
# path first (`/activations`) and then its parent (`/`), probing each with `_stcore/health` and
# `_stcore/host-config`. The server answers the first guess with 404 on purpose
# (`_RESERVED_STATIC_PATH_SUFFIXES` in streamlit/web/server/starlette/starlette_static_routes.py,
# so that the frontend falls back instead of taking index.html for a health answer), and Chromium
# logs every 404 as a console error. Streamlit's issue #7074 ("404 health check when navigating
# directly to a subpage", open); PR #11537 notes the fix needs a `window.__streamlit.BACKEND_BASE_URL`
# set in index.html, which the stock server serves as a static file. The home page, at "/", has none.
ALLOWED_404S = ("_stcore/health", "_stcore/host-config")


def visit_collecting_console(page, url: str) -> tuple[list[str], list[str]]:
    """Open `url`, wait for the page to settle; its console errors and 404 urls (allowed ones kept apart)."""
    errors: list[str] = []
    not_found: list[str] = []

    def on_console(message):
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("response", lambda response: response.status == 404 and not_found.append(response.url))
    try:
        page.goto(url)
        wait_for_app(page)
        assert_no_exception(page)
        page.wait_for_timeout(1000)  # late errors: charts, components, the websocket's first messages
    finally:
        page.remove_listener("console", on_console)
    return errors, not_found


def streamlits_own_404s(base: str, info: catalog.PageInfo) -> set[str]:
    if info is catalog.HOME:
        return set()
    return {f"{base}/{info.url_path}/{path}" for path in ALLOWED_404S}


@pytest.mark.parametrize("info", catalog.PAGES, ids=lambda info: info.url_path)
def test_a_visit_of_every_page_logs_no_console_error(page, info):
    url = page.app_url + ("/" if info is catalog.HOME else f"/{info.url_path}")
    errors, not_found = visit_collecting_console(page, url)
    allowed = streamlits_own_404s(page.app_url, info)
    unexpected_404s = [address for address in not_found if address not in allowed]
    assert not unexpected_404s, f"404s on {urlparse(url).path}: {unexpected_404s}"
    unexpected_errors = [error for error in errors
                         if not (error.startswith("Failed to load resource: the server responded with a status of 404")
                                 and any(address in error for address in allowed))]
    assert not unexpected_errors, f"console errors on {urlparse(url).path}: {unexpected_errors}"
    # The allowance is exactly Streamlit's two probes: if a Streamlit upgrade stops making them, say so.
    assert set(not_found) == allowed, (
        f"Streamlit's probes of the page's own path changed (seen {sorted(not_found)}, allowed {sorted(allowed)}): "
        "narrow ALLOWED_404S")
