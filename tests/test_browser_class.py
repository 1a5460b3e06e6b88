"""The whole lesson in real chromium: a teacher starts a class, two students (one in 中文) join by link,
train on Churn ANN, the board shows both within seconds, hostile nicknames stay text, the teacher closes
the class and its rows are gone. Screenshots of the board at 1280x720 and 1024x768."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import assert_no_exception, running_app, screenshot, wait_for_app
from test_browser_classroom import CLIPPED_TEXT, OVERFLOW, TEXT_OUTSIDE

pytestmark = pytest.mark.browser

# Nicknames have at most 24 characters: the "<img src=x onerror=alert(1)>" has 28 (tests/test_class_page.py
# posts it through the store where it fits); this one of 21 would open a dialog just the same if it became markup.
HOSTILE = "<svg/onload=alert(1)>"
SMALL_RUN = "churn.epochs=3&churn.layers=1&churn.units1=4&churn.batch=128"


@pytest.fixture
def class_server(tmp_path):
    """A server of its own on a fresh SQLite class database; yields (URL, database URL)."""
    database = f"sqlite:///{tmp_path / 'board.db'}"
    with running_app(tmp_path, env={"PLAYGROUND_DATABASE_URL": database}) as url:
        yield url, database


def tab(browser, width=1400, height=900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    return page


def join_and_train(student, link: str, nickname: str, nickname_label: str, join_label: str, train_label: str):
    student.goto(link.replace("/?", "/churn_ann?") + "&" + SMALL_RUN)
    student.get_by_label(nickname_label).wait_for(timeout=90_000)
    wait_for_app(student)
    student.get_by_label(nickname_label).fill(nickname)
    student.get_by_role("button", name=join_label, exact=True).click()
    student.locator("[data-testid=stSidebar] button", has_text=re.compile("Leave|退出")).wait_for(timeout=30_000)
    wait_for_app(student)
    assert "class=" not in student.url, "the link's code leaves the address bar once joined"
    student.get_by_role("button", name=train_label, exact=True).click()


def board_caption(teacher) -> str:
    return teacher.locator("[data-testid=stCaptionContainer]", has_text=re.compile("runs posted")).first.text_content()


def test_a_whole_lesson(browser, class_server):
    url, database = class_server
    teacher = tab(browser, 1280, 720)
    teacher.goto(f"{url}/class")
    wait_for_app(teacher)
    teacher.get_by_role("button", name="Start a class").click()
    code_box = teacher.locator("[data-testid=class-code]")
    code_box.wait_for(timeout=30_000)
    wait_for_app(teacher)
    code = code_box.inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4,8}", code), code
    student_link = teacher.locator("[data-testid=stCode]").first.inner_text().strip()
    assert student_link == f"{url}/?class={code}"
    qr = teacher.locator("[data-testid=stImage] img").first
    assert qr.get_attribute("src").startswith(("/media/", f"{url}/media/")), "the QR code is served by this server"
    assert "key=" not in teacher.url, "the key never shows in the projected address bar"
    screenshot(teacher, "class_board_started_1280x720")

    ann, mei = tab(browser), tab(browser)
    join_and_train(ann, student_link, HOSTILE, "Nickname", "Join", "Train")
    join_and_train(mei, student_link + "&lang=zh&churn.seed=1", "小美 **bold**", "昵称", "加入", "训练")
    for name, student in (("ann", ann), ("mei", mei)):
        try:
            student.wait_for_function(
                "() => /(Run 1|第 1 次训练)/.test(document.querySelector('[data-testid=stProgress]')?.textContent || '')",
                timeout=240_000)
        except Exception:
            path = screenshot(student, f"class_student_{name}_no_result")
            raise AssertionError(f"{name}'s training gave no result; the page: {path}") from None
        assert_no_exception(student)

    # The board: both runs, live (the fragment polls; nobody reloads the teacher's page).
    teacher.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stCaptionContainer]')]"
        ".some(c => /2 joined · 2 runs posted/.test(c.textContent))", timeout=30_000)
    teacher.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(m => m.textContent.trim() === '2')",
        timeout=10_000)
    wait_for_app(teacher)
    assert_no_exception(teacher)
    dots = teacher.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')].map(p => p._fullData"
        ".filter(t => t.mode === 'markers').reduce((n, t) => n + t.x.length, 0))")
    assert 2 in dots, dots
    assert teacher.locator("[data-testid=stMain] svg[onload]").count() == 0 and not teacher.dialogs
    assert HOSTILE in teacher.locator("[data-testid=stMain]").inner_text(), "the nickname is shown as text"
    screenshot(teacher, "class_board_two_students_1280x720")
    for width, height in ((1280, 720), (1024, 768)):  # a projector: the code and the QR code are whole
        teacher.set_viewport_size({"width": width, "height": height})
        teacher.wait_for_timeout(800)
        fits = teacher.evaluate(
            "() => { const code = document.querySelector('[data-testid=class-code]');"
            " const qr = document.querySelector('[data-testid=stImage] img').getBoundingClientRect();"
            " const main = document.querySelector('[data-testid=stMain]').getBoundingClientRect();"
            " return {code: code.scrollWidth <= code.clientWidth + 1, qr: qr.right <= main.right + 1,"
            " qrWidth: qr.width}; }")
        assert fits["code"] and fits["qr"] and fits["qrWidth"] >= 90, (width, fits)
        # The checks every page passes on a projector (tests/test_browser_classroom.py), on the board itself.
        problems = {check: found for check, script in (("chart text outside", TEXT_OUTSIDE), ("clipped", CLIPPED_TEXT),
                                                      ("scrolls sideways", OVERFLOW)) if (found := teacher.evaluate(script))}
        assert not problems, (width, problems)
    screenshot(teacher, "class_board_two_students_1024x768")
    teacher.set_viewport_size({"width": 1280, "height": 720})
    teacher.locator("[data-testid=stSidebar]").get_by_text("中文", exact=True).click()  # the board in Chinese
    teacher.get_by_role("tab", name="客户流失 ANN").wait_for(timeout=30_000)
    wait_for_app(teacher)
    problems = {check: found for check, script in (("chart text outside", TEXT_OUTSIDE), ("clipped", CLIPPED_TEXT),
                                                  ("scrolls sideways", OVERFLOW)) if (found := teacher.evaluate(script))}
    assert not problems, ("zh", problems)
    menus = teacher.evaluate("() => [...document.querySelectorAll('[data-testid=stSidebar] [data-testid=stSelectbox]')]"
                             ".map(box => [...box.querySelectorAll('input')].map(i => i.value).join('') + box.innerText)")
    assert menus and all("不设挑战" in menu for menu in menus), menus  # the choice follows the language too
    screenshot(teacher, "class_board_two_students_1280x720_zh")
    teacher.locator("[data-testid=stSidebar]").get_by_text("English", exact=True).click()
    teacher.get_by_role("tab", name="Churn ANN").wait_for(timeout=30_000)
    wait_for_app(teacher)

    # The open tab stays open while the board polls; the CSV is read when clicked, with both runs.
    teacher.get_by_role("tab", name="Decision boundary").click()
    teacher.wait_for_timeout(5_000)  # two polls of the board
    assert teacher.locator("[role=tab][aria-selected=true]").inner_text() == "Decision boundary"
    teacher.get_by_role("tab", name="Churn ANN").click()
    with teacher.expect_download() as download:
        teacher.get_by_role("button", name="Download the class (CSV)").click()
    table = Path(download.value.path()).read_text()
    assert sum(",churn," in line for line in table.splitlines()) == 2 and HOSTILE in table and "小美 **bold**" in table

    # The teacher closes the class: the board is gone, and so are the rows in the database.
    teacher.get_by_role("button", name="Close the class").click()
    teacher.get_by_role("button", name="Close and delete every run").click()
    teacher.get_by_role("button", name="Start a class").wait_for(timeout=30_000)
    from playground.board.store import Board

    board = Board(database)
    assert board.find_class(code) is None and board.runs(code) == []
    assert not ann.dialogs and not mei.dialogs
    for student in (ann, mei, teacher):
        student.context.close()
