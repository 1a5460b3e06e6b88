"""Class: a teacher starts a class, students join by link, and every finished run shows up on the board."""

import html
from datetime import timezone
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from pages import use_app_shell
from pages.server.board import BoardUnavailable, class_board
from pages.shell.class_member import MEMBER, NOTICE, TEACHER, TeacherOf, as_text, member, teacher
from pages.shell.language import current_language, gettext
from playground.board import challenges, figures
from playground.board.qr import qr_png
from playground.board.store import BOARD_REFRESH_SECONDS, class_hours
from playground.i18n import N_, UserError

use_app_shell()
_ = gettext()
state = st.session_state
CONFIG = {"displaylogo": False}
CODE_CSS = """<style>
.class-code { font: 700 clamp(2rem, 3.4vw, 3.2rem)/1.1 ui-monospace, "DejaVu Sans Mono", monospace;
  letter-spacing: 0.06em; white-space: nowrap; }
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }  /* this page only: room for the board at 720 px */
</style>"""
DOWN = N_("The class board's database cannot be reached just now, so the board cannot be shown. Everything else "
          "in the playground keeps working; this page tries again when you reload it.")


def teacher_action(action, *args) -> None:
    """Run a button's action; a refusal or a database that is down becomes a message, not a traceback."""
    try:
        action(*args)
    except BoardUnavailable:
        state[NOTICE] = ("error", _("The class board cannot be reached just now: nothing was changed. Try again in "
                                    "a moment."))
    except UserError as refused:
        state[NOTICE] = ("error", refused.translate(_))


def start_class() -> None:
    keys = class_board().start_class()
    state[TEACHER] = TeacherOf(keys.code, keys.teacher_key)
    joined = state.pop(MEMBER, None)  # one role per session: a teacher posts no runs
    if joined is not None:
        class_board().leave(joined.token)


def close_class(code: str, key: str) -> None:
    class_board().close_class(code, key)
    state.pop(TEACHER, None)
    state[NOTICE] = ("success", _("The class {code} is closed and its runs are deleted.").format(code=code))


def set_hidden(code: str, key: str) -> None:
    class_board().set_options(code, key, hide_nicknames=bool(state["class.hide"]))


def set_challenge(code: str, key: str) -> None:
    chosen = {page: state.get(f"class.challenge.{page}") or None for page in challenges.PAGES}
    class_board().set_options(code, key, challenges={page: value for page, value in chosen.items() if value})


def remove_run(code: str, key: str) -> None:
    run_id = state.get("class.remove")
    if run_id:
        class_board().remove_run(code, key, int(run_id))


def local_time(moment) -> str:
    """An aware time as the teacher's browser tells the hour (UTC if it does not say its time zone)."""
    try:
        zone = ZoneInfo(st.context.timezone) if st.context.timezone else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.utc
    shown = moment.astimezone(zone)
    return f"{shown:%H:%M}" + ("" if zone is not timezone.utc else " UTC")


def names_of(rows, hide: bool) -> dict:
    return challenges.shown_names(rows, hide, lambda number: _("Student {number}").format(number=number))


def class_csv(code: str) -> str:
    """The whole class as CSV, read when the teacher clicks (so it has every row of that moment)."""
    board = class_board()
    info, rows = board.find_class(code), board.runs(code)
    return figures.class_csv(rows, names_of(rows, bool(info and info.hide_nicknames)))


def links(code: str, key: str) -> tuple[str, str]:
    # st.context.url is this page's address without its query; the student link opens the home page.
    base = (st.context.url or "").rstrip("/").removesuffix("/class")
    return f"{base}/?class={code}", f"{base}/class?class={code}&key={key}"


def invitation(code: str, key: str) -> None:
    """The code, the student link with its QR code, and the teacher link: one row, so that a projector
    at 1280x720 still shows the board under it."""
    student_link, teacher_link = links(code, key)
    code_column, link_column, picture = st.columns([3, 6, 2], vertical_alignment="center")
    code_column.html(CODE_CSS + '<div data-testid="class-code" class="class-code">{code}</div>'.format(
        code=html.escape(code)))
    with link_column:
        st.caption(_("Students open this link (or scan the code) and pick a nickname:"))
        st.code(student_link, language=None, wrap_lines=True)
        with st.expander(_("Teacher link: keep it to yourself"), icon=":material/key:"):
            st.caption(_("Whoever has this link can change, empty and close the class: open it on another computer "
                         "to see the board there. It is shown only here, never on the board, and its key leaves "
                         "the address bar as soon as the page opens."))
            st.code(teacher_link, language=None, wrap_lines=True)
    picture.image(qr_png(student_link, scale=4), caption=_("Scan to join"), width="stretch")


def teacher_sidebar(code: str, teacher_key: str, info) -> None:
    with st.sidebar:
        st.subheader(_("Class board"))
        state.setdefault("class.hide", bool(info.hide_nicknames))
        st.toggle(_("Hide nicknames"), key="class.hide", on_change=teacher_action, args=(set_hidden, code, teacher_key),
                  help=_("For the projector: students are shown as Student 1, Student 2, ..."))
        for page in challenges.PAGES:
            options = ["", *(challenge.id for challenge in challenges.for_page(page))]
            key = f"class.challenge.{page}"
            # Set every run (as pages.shell.language.choice does): the browser then shows the choice in
            # this run's language; it kept "No challenge" in English after a switch to 中文.
            state[key] = state.get(key, info.challenges.get(page) or "")
            st.selectbox(_("Challenge: {page}").format(page=figures.page_title(page, _)), options,
                         key=key, on_change=teacher_action, args=(set_challenge, code, teacher_key),
                         format_func=lambda cid, page=page: _(challenges.get(page, cid).short),
                         help=" · ".join(_(challenge.title) for challenge in challenges.for_page(page)))
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.number_input(_("Run number"), min_value=1, step=1, value=None, key="class.remove",
                            help=_("The number in the ranking's run column"))
            st.button(_("Remove"), key="class.remove.go", on_click=teacher_action, args=(remove_run, code, teacher_key),
                      icon=":material/delete:")
        st.download_button(_("Download the class (CSV)"), partial(class_csv, code), f"class-{code}.csv",
                           mime="text/csv", key="class.csv", icon=":material/download:", on_click="ignore")
        with st.popover(_("Close the class"), icon=":material/close:"):
            st.caption(_("Closing deletes the class and every run in it, for good."))
            st.button(_("Close and delete every run"), key="class.close", type="primary", on_click=teacher_action,
                      args=(close_class, code, teacher_key))


def page_board(page: str, rows, info, names: dict) -> None:
    """One page's part of the board: counts, the spread, the ranking (by its challenge if one is set)."""
    challenge = challenges.get(page, info.challenges.get(page))
    ranked = challenges.standings(rows, page, challenge.id or None)
    mine = [row for row in rows if row.page == page]
    count, best, chart = st.columns([1, 1, 2])
    count.metric(_("Students who ran"), challenges.students(rows, page))
    best.metric(_("Best so far"), figures.score_text(challenge, ranked[0].score) if ranked else "–")
    chart.markdown("**{title}**".format(title=_(challenge.title)))
    if ranked:
        chart.caption(_("Best settings so far: {settings} ({student})").format(
            settings=as_text(figures.settings_text(page, ranked[0].settings, _)),
            student=as_text(names.get(ranked[0].member_id, ranked[0].nickname))))
    spread, table = st.columns([2, 3])
    # Drawn before the first run too: the projector shows the axes (and the tutorial's line), nothing moves
    # when the first dot comes, and the browser has loaded Streamlit's chart script (4.7 MB) by then; the
    # first dots waited ~2 s for it (bench/bench_board.py --pages).
    spread.plotly_chart(figures.spread_figure(page, rows, _), key=f"class.spread.{page}", config=CONFIG, theme=None)
    if not mine:
        table.info(_("No run yet on this page: finished runs of the students appear here within seconds."))
        return
    shown = figures.ranking_frame(ranked[:10], page, challenge, names, _)
    # Every row whole ("content": the theme's larger font made a fixed 35 px a row clip the last one); past
    # eight rows the table scrolls, so the projector's first screen keeps the chart beside it.
    table.dataframe(shown, hide_index=True, key=f"class.ranking.{page}", height="content" if len(shown) <= 8 else 320)


@st.fragment(run_every=BOARD_REFRESH_SECONDS)
def live_board(code: str) -> None:
    """Read the class afresh (never from a cache shared by sessions) and draw every page's part."""
    try:
        board = class_board()
        info, rows, members = board.find_class(code), board.runs(code), board.members(code)
    except BoardUnavailable:
        st.error(_(DOWN))
        return
    if info is None:  # closed from another computer, or expired: back to the start, and no more polling
        state.pop(TEACHER, None)
        state[NOTICE] = ("warning", _("The class {code} has ended: it was closed, or it expired.").format(code=code))
        st.rerun()
    names = names_of(rows, info.hide_nicknames)
    st.caption(_("{members} joined · {runs} runs posted · the class ends at {end}").format(
        members=len(members), runs=len(rows), end=local_time(info.expires_at)))
    if members and not info.hide_nicknames:  # who is in, as plain text (escaped: a nickname is never markup)
        st.caption(_("In the class: {names}").format(names=", ".join(as_text(m.nickname) for m in members[:60])))
    # A key keeps the open tab through the fragment's reruns (without one, every poll showed the first
    # tab); only the open tab is built: one chart and one table per poll for the projector's computer.
    tabs = st.tabs([figures.page_title(page, _) for page in challenges.PAGES], key=f"class.tab.{current_language()}",
                   on_change="rerun")
    for page, tab in zip(challenges.PAGES, tabs):
        if tab.open:
            with tab:
                page_board(page, rows, info, names)


st.title(_("Class"))
taught = teacher()
try:
    board = class_board()  # a database that is down is said here, before anything is offered
    info = board.find_class(taught.code) if taught else None
except BoardUnavailable:
    st.error(_(DOWN))
    st.stop()
if taught is None or info is None:
    if taught is not None:
        state.pop(TEACHER, None)  # its class has ended
    st.markdown(_("Start a class to see every student's runs on one screen: you get a short code, a link and a QR "
                  "code for the students. Each student picks a nickname (no account, nothing personal); their "
                  "finished Churn trainings and experiments and their Decision boundary results at Pause then "
                  "appear here within seconds, ranked, with the spread of the whole class. The class and all its "
                  "runs are deleted after {hours} hours, or when you close it.").format(hours=f"{class_hours():g}"))
    if member() is not None:
        st.info(_("You are in the class {code} as a student; starting a class of your own makes you leave it.").format(
            code=member().code))
    st.button(_("Start a class"), key="class.start", type="primary", on_click=teacher_action, args=(start_class,),
              icon=":material/groups:")
else:
    invitation(taught.code, taught.key)
    teacher_sidebar(taught.code, taught.key, info)
    live_board(taught.code)
