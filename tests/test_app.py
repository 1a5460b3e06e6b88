"""The app shell: navigation, every page runs, the home page is light."""

import json

import pytest

from apptest_utils import REPO, modules_after_page_run, open_page, run_in_fresh_process
from playground import catalog


@pytest.mark.parametrize("page", catalog.PAGES, ids=lambda page: page.url_path)
def test_every_page_runs_without_exception(page):
    at = open_page(page.script, timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value, "every page starts with a title"


def test_home_links_to_every_topic():
    at = open_page("pages/home.py")
    links = [link.proto.page for link in at.get("page_link")]
    for page in catalog.TOPICS:
        assert any(link.endswith(page.script.split("/")[-1]) or page.url_path in link for link in links), (
            page.script,
            links,
        )


def test_playground_and_home_do_not_load_tensorflow():
    modules = run_in_fresh_process(
        """
        import json, sys, importlib, pkgutil
        import playground
        for info in pkgutil.iter_modules(playground.__path__):
            if info.name in ("catalog", "workers"):
                importlib.import_module("playground." + info.name)
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        print(json.dumps({"heavy": heavy}))
        """
    )
    assert modules["heavy"] == []
    home = modules_after_page_run("pages/home.py")
    assert home["exceptions"] == []
    assert home["heavy"] == [], "the home page must not import tensorflow/keras"


@pytest.mark.parametrize("script", ["pages/home.py", "pages/boundary.py"])
def test_a_page_outside_a_class_does_not_import_the_boards_database_library(script):
    # SQLAlchemy took ~0.2 s of every page's first run on a fresh server; the board imports it when used.
    page = modules_after_page_run(script)
    assert page["exceptions"] == [] and page["sqlalchemy"] is False


def test_home_first_run_is_much_faster_than_a_tensorflow_import():
    # Real configuration: the Keras warm-up is on, and starts after the page has rendered.
    result = run_in_fresh_process(
        f"""
        import json, sys, time
        sys.path.insert(0, "tests")
        from apptest_utils import app_test
        at = app_test()
        started = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - started
        print(json.dumps({{"seconds": seconds, "title": at.title[0].value}}))
        """,
        env={"PLAYGROUND_WARMUP": "1"},
    )
    assert result["title"] == "Neural Network Playground"
    # `import keras` alone takes 4-9 s here; the home page must not pay any of it.
    assert result["seconds"] < 2.5, result


def test_the_training_workers_import_keras_and_the_server_process_does_not():
    result = run_in_fresh_process(
        """
        import json, sys, time
        from playground.churn import jobs
        pool = jobs.new_pool()   # what app.py does on a server's first page run
        deadline = time.monotonic() + 150
        while pool.status().ready < pool.size and time.monotonic() < deadline and not pool.status().start_error:
            time.sleep(0.2)
        maps = [open(f"/proc/{pid}/maps").read() for pid in pool.worker_pids()]
        print(json.dumps({"ready": pool.status().ready, "size": pool.size, "error": pool.status().start_error,
                          "server_heavy": sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras")),
                          "workers_with_tensorflow": sum("libtensorflow" in text for text in maps)}))
        pool.shutdown()
        """,
        env={"PLAYGROUND_WARMUP": "1", "PLAYGROUND_WORKERS": "1"},
    )
    assert result["error"] is None
    assert result["ready"] == result["size"] == 1
    assert result["server_heavy"] == [], "the server process never imports tensorflow/keras"
    assert result["workers_with_tensorflow"] == 1


@pytest.mark.parametrize("page", catalog.PAGES, ids=lambda page: page.url_path)
def test_url_path_is_the_file_name_and_the_page_calls_the_shell_guard(page):
    # A deep link on a fresh server is first matched against pages/ file names; a
    # mismatch shows Streamlit's "Page not found" dialog (see pages/__init__.py).
    assert page.script == f"pages/{page.url_path}.py" or page is catalog.HOME
    source = (REPO / page.script).read_text()
    assert "\nuse_app_shell()\n" in source, f"{page.script} must call use_app_shell() first"


def test_every_script_in_pages_is_a_page_of_the_catalogue():
    """Streamlit's legacy discovery turns every pages/*.py into a page (e.g. /language on a fresh
    server); helper modules belong in pages/parts/, pages/shell/ or pages/server/."""
    scripts = {f"pages/{path.name}" for path in (REPO / "pages").glob("*.py") if path.name != "__init__.py"}
    assert scripts == {page.script for page in catalog.PAGES}


def test_navigation_pages_are_made_once_per_language_and_copied_for_each_run():
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from pages.server.navigation import pages

        first, again, chinese = pages("en"), pages("en"), pages("zh")
        st.json({
            "titles": [page.title for page in first], "zh": [page.title for page in chinese],
            "paths": [page._url_path for page in first], "same_paths": [p._url_path for p in again],
            "shared": sum(a is b for a, b in zip(first, again)),
            "files": [str(page._page) for page in first],
        })

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    seen = json.loads(at.json[0].value)
    assert seen["titles"] == [page.title for page in catalog.PAGES]
    assert seen["zh"][1] == "激活函数" and seen["zh"] != seen["titles"]
    assert seen["paths"] == seen["same_paths"] == [page.url_path for page in catalog.PAGES]
    assert seen["shared"] == 0, "each run marks its own copy as the page to run"
    assert all(path.endswith(page.script) for path, page in zip(seen["files"], catalog.PAGES))
