"""Classroom use in a real chromium: a teacher's classroom link hides controls and fixes their
values for a student; every covered page fits a projector (1280 x 720, 1024 x 768) in both languages."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from conftest import assert_no_exception, screenshot, wait_for_app
from i18n_utils import COVERED_PAGES
from playground import catalog

pytestmark = pytest.mark.browser

BY_SCRIPT = {info.script: info for info in catalog.PAGES}
PROJECTORS = {"1280x720": (1280, 720), "1024x768": (1024, 768)}
# Every covered page, plus the Neuron & backprop tab with the backpropagation diagram.
VIEWS = [(script, "") for script in COVERED_PAGES] + [("pages/neuron_backprop.py", "nb.tab=backprop")]

CHART_X = "() => document.querySelector('.js-plotly-plot')?._fullLayout?.xaxis?.range"
LEGEND = "() => [...document.querySelector('.js-plotly-plot').querySelectorAll('.legendtext')].map(t => t.textContent)"

# Text of a chart that lies outside the chart's own SVG is cut off on screen.
TEXT_OUTSIDE = """() => {
    const problems = [];
    for (const plot of document.querySelectorAll('.js-plotly-plot')) {
        const svg = plot.querySelector('svg.main-svg');
        const frame = svg && svg.getBoundingClientRect();
        if (!frame || frame.width === 0) continue;  // a chart in a tab that is not shown
        const shown = [...plot.querySelectorAll('svg.main-svg text')]
            .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0);
        for (const text of shown) {
            const box = text.getBoundingClientRect();
            if (box.left < frame.left - 1 || box.right > frame.right + 1 ||
                box.top < frame.top - 1 || box.bottom > frame.bottom + 1) {
                problems.push(`${text.textContent.trim()} [${Math.round(box.left)}..${Math.round(box.right)}]`
                              + ` outside [${Math.round(frame.left)}..${Math.round(frame.right)}]`);
            }
        }
    }
    return problems;
}"""
# A button, select, label, tab, caption or text whose words are clipped: it overflows a box that hides
# what overflows (Streamlit's selects and buttons end such text with "..."). Checked on each shown element.
CLIPPED_TEXT = """() => {
    const roots = document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarUserContent]');
    const candidates = 'button, label, [data-testid=stWidgetLabel], [data-testid=stSelectbox], [data-testid=stMultiSelect], '
        + '[data-testid=stNumberInput], [data-testid=stTextInput], '
        + '[data-baseweb=select], [data-baseweb=tab], '
        + '[data-testid=stMarkdownContainer], [data-testid=stCaptionContainer], [data-testid=stMetric]';
    const problems = new Set();
    for (const root of roots) {
        for (const candidate of root.querySelectorAll(candidates)) {
            for (const element of [candidate, ...candidate.querySelectorAll('*')]) {
                const input = element.tagName === 'INPUT';  // a selectbox shows its choice in an input, too
                const text = (input ? element.value : element.textContent).trim();
                if (!element.getClientRects().length || !text) continue;
                // (a help icon's own box is skipped, not a button that has help: Streamlit wraps that
                // button in the icon's box, and "Regenerate" was cut to "Regener..." unseen)
                if (element.closest('.katex, .js-plotly-plot')) continue;
                if (element.closest('[data-testid=stTooltipIcon]') && !element.closest('button')) continue;
                const style = getComputedStyle(element);
                const clips = input || ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
                if (clips && element.scrollWidth > element.clientWidth + 1) {
                    problems.add(`${text.slice(0, 60)} `
                                 + `(${element.scrollWidth} px of text in ${element.clientWidth} px)`);
                }
            }
        }
    }
    return [...problems];
}"""
# A formula (KaTeX) wider than a box that clips it, unless that box shows a scrollbar (overlay scrollbars
# take no room and are not drawn until scrolled: the formula then just looks cut).
CLIPPED_LATEX = """() => {
    const problems = [];
    for (const formula of document.querySelectorAll('[data-testid=stMain] .katex, [data-testid=stSidebar] .katex')) {
        if (!formula.getBoundingClientRect().width) continue;  // in a tab or expander that is not open
        for (let box = formula; box && box.dataset.testid !== 'stMain'; box = box.parentElement) {
            const style = getComputedStyle(box);
            if (style.overflowX === 'visible' || box.scrollWidth <= box.clientWidth + 3) continue;  // KaTeX's own 2 px
            const scrollbar = ['auto', 'scroll'].includes(style.overflowX) && box.offsetHeight - box.clientHeight
                - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth) > 2;
            if (!scrollbar) {
                problems.push(`${formula.textContent.slice(0, 60)} (${box.scrollWidth} px wide in ${box.clientWidth} px)`);
            }
            break;
        }
    }
    return problems;
}"""
OVERFLOW = """() => [...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarUserContent]')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.dataset.testid)"""


def url_path(script: str) -> str:
    info = BY_SCRIPT[script]
    return "" if info is catalog.HOME else info.url_path


# The picker's list closes whenever the sidebar scrolls (react-aria closes a list on any scroll of its
# input's ancestors); a pick then does nothing and the typed text stays in the input. CI met exactly that
# state twice (a click in the list lost, then Enter), in full runs only. The teacher's window is tall
# enough to show the whole sidebar with the panel open, so nothing can scroll it during the picks.
TEACHER_VIEWPORT = {"width": 1280, "height": 2400}


def test_classroom_link_hides_controls_and_fixes_their_values(browser, streamlit_server):
    teacher_context = browser.new_context(viewport=TEACHER_VIEWPORT)
    student_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        teacher = teacher_context.new_page()
        teacher.goto(f"{streamlit_server}/optimizers?lang=en&opt.surface=bowl&opt.r1.lr=0.2&opt.runs=2&opt.steps=60")
        wait_for_app(teacher)
        teacher.get_by_text("Classroom link").click()
        code = teacher.locator("[data-testid=stSidebar] [data-testid=stCode] code").first
        box = teacher.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first
        picker = box.locator("input")
        sidebar = teacher.locator("[data-testid=stSidebarContent]")
        expect(box).to_be_visible()
        fits = sidebar.evaluate("(sidebar) => sidebar.scrollHeight <= sidebar.clientHeight")
        assert fits, "the sidebar scrolls in the teacher's window: make TEACHER_VIEWPORT taller"
        sidebar.evaluate("(sidebar) => { window.sidebarScrolls = 0; sidebar.addEventListener('scroll', () => window.sidebarScrolls++); }")
        ticked = []
        for label, control_id in (("Loss surface", "opt.surface"), ("Learning rates", "opt.lr")):
            # Up to three tries: in full runs (never alone, here or in CI) the picker has been seen to lose
            # its typed filter and close between the filter and Enter (input empty, list closed, no scroll,
            # no script running), as when the widget is drawn anew. A teacher then types again; so does
            # the test, and it says what it saw each time if no try lands.
            seen = []
            for _attempt in range(3):
                picker.click()
                picker.fill("")
                picker.press_sequentially(label)
                # Pick with the keyboard once the typed filter has left one option: Enter before that picks
                # whatever is highlighted ("Select all" comes first).
                options = teacher.get_by_role("option")
                try:
                    expect(options).to_have_count(1)
                    expect(options).to_have_text(re.compile("^" + label))
                    expect(picker).to_have_attribute("aria-expanded", "true")
                    picker.press("Enter")
                    expect(box).to_contain_text(label)  # the teacher sees the pick as a chip
                    break
                except AssertionError:  # say what the teacher's page showed instead
                    seen.append(
                        f"the picker shows {box.inner_text()!r} and holds {picker.input_value()!r}, its list is "
                        f"{'open' if picker.get_attribute('aria-expanded') == 'true' else 'closed'}, the sidebar "
                        f"scrolled {teacher.evaluate('window.sidebarScrolls')} times, running: "
                        f"{teacher.locator('[data-testid=stStatusWidget]').count()}")
                    picker.press("Escape")
            else:
                screenshot(teacher, "classroom-teacher-failed")
                raise AssertionError(f"picking {label!r} failed 3 times: " + "; ".join(seen) +
                                     f"; the link is {code.inner_text()!r}")
            picker.press("Escape")
            ticked.append(control_id)
            expect(code).to_contain_text("hide=" + ",".join(ticked), timeout=30_000)
            wait_for_app(teacher)
        link = code.inner_text().strip()
        # The teacher has the controls (this also checks the selector: Streamlit's class for a widget's key).
        assert teacher.locator(".st-key-opt-surface, .st-key-opt-r1-lr").count() == 2
        assert "hide=opt.surface,opt.lr" in link and "opt.surface=bowl" in link and "opt.r1.lr=0.2" in link, link
        screenshot(teacher, "classroom-teacher")

        student = student_context.new_page()
        student.goto(link)
        wait_for_app(student)
        assert_no_exception(student)
        # The hidden controls are absent for the student: not in the page at all, not merely out of sight...
        assert student.get_by_role("slider", name="Learning rate η").count() == 0
        assert student.locator(".st-key-opt-surface, .st-key-opt-r1-lr, .st-key-opt-r2-lr").count() == 0
        assert student.locator("[data-testid=stSelectbox]").filter(has_text="Loss surface").count() == 0
        labels = student.locator("[data-testid=stWidgetLabel]").all_text_contents()
        assert "Loss surface" not in labels and "Learning rate η" not in labels, labels
        assert student.get_by_role("slider", name="Steps").count() == 1, "controls not ticked stay"
        assert student.get_by_text("Some controls are fixed by this classroom link.").is_visible()
        # ...and their values are the teacher's: the bowl's range, run 1's learning rate in the legend.
        student.wait_for_function(f"({CHART_X})")
        assert student.evaluate(CHART_X) == [-3, 3]
        legend = student.evaluate(LEGEND)
        assert any(text.startswith("1: ") and "η=0.2," in text for text in legend), legend
        screenshot(student, "classroom-student")
    finally:
        teacher_context.close()
        student_context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_nothing_is_cut_off_on_a_projector(browser, streamlit_server, lang):
    """Each view is loaded once and laid out at both projector sizes (plotly re-lays out on resize)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    problems = {}
    try:
        tab = context.new_page()
        for script, query in VIEWS:
            tab.set_viewport_size({"width": 1280, "height": 720})
            tab.goto(f"{streamlit_server}/{url_path(script)}?lang={lang}" + (f"&{query}" if query else ""))
            wait_for_app(tab)
            tab.wait_for_function("() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]"
                                  ".every(chart => chart.querySelector('.js-plotly-plot')?._fullLayout)", timeout=60_000)
            assert_no_exception(tab)
            for size, (width, height) in PROJECTORS.items():
                tab.set_viewport_size({"width": width, "height": height})
                tab.wait_for_timeout(1000)  # plotly lays its text out again for the new width
                name = f"projector-{size}-{lang}-{url_path(script) or 'home'}{'-' + query.split('=')[1] if query else ''}"
                if cut := tab.evaluate(TEXT_OUTSIDE):
                    problems[name] = cut
                if wide := tab.evaluate(OVERFLOW):
                    problems[name + " (scrolls sideways)"] = wide
                if clipped := tab.evaluate(CLIPPED_TEXT):
                    problems[name + " (text clipped)"] = clipped
                if formulas := tab.evaluate(CLIPPED_LATEX):
                    problems[name + " (formula cut)"] = formulas
                screenshot(tab, name)
    finally:
        context.close()
    assert not problems, "\n" + json.dumps(problems, ensure_ascii=False, indent=1)


# Text that overlaps other text, or a picture of a Plotly chart that overlaps another (the
# Decision boundary's neuron maps): every shown SVG <text> of a chart, and every line of ordinary
# text (one box per line of a text node), against each other; boxes may overlap by 2 px. Two texts
# of a chart on one line must also stand 4 px apart (each <text> is its own label: the captions
# "输入数", "4×tanh", "2×tanh", "sigmoid" touching read as one word), and two maps must not touch.
# (A colour bar's rotated title stands ~3 px from its tick labels, but its box, line spacing
# included, reaches them: rotated texts are only checked for overlap.)
OVERLAPS = """() => {
    const boxes = [];
    for (const plot of document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')) {
        for (const text of plot.querySelectorAll('svg.main-svg text')) {
            const box = text.getBoundingClientRect();
            if (text.textContent.trim() && box.width > 0) boxes.push({what: text.textContent.trim(), box, kind: 'chart'});
        }
        for (const image of plot.querySelectorAll('.layer-above .imagelayer image')) {
            const box = image.getBoundingClientRect();
            if (box.width > 0) boxes.push({what: '[neuron map]', box, kind: 'map'});
        }
    }
    // the live component's diagram: its neuron maps, and its captions count as a chart's labels
    for (const node of document.querySelectorAll('[data-testid=stMain] .bd-node')) {
        const box = node.getBoundingClientRect();
        if (box.width > 0) boxes.push({what: '[neuron map]', box, kind: 'map'});
    }
    for (const label of document.querySelectorAll('[data-testid=stMain] .bd-column-title, [data-testid=stMain] .bd-node-name')) {
        const range = document.createRange();
        range.selectNodeContents(label);
        for (const box of range.getClientRects()) {
            if (box.width > 0) boxes.push({what: label.textContent.trim(), box, kind: 'chart', node: label});
        }
    }
    const walker = document.createTreeWalker(document.querySelector('[data-testid=stMain]'), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim() || node.parentElement.closest('.js-plotly-plot, svg, [data-testid=stTooltipIcon], .bd-column-title, .bd-node-name')) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const box of range.getClientRects()) {
            if (box.width > 0 && box.height > 0) boxes.push({what: node.textContent.trim().slice(0, 40), box, node});
        }
    }
    const problems = [];
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            if (a.node && a.node === b.node) continue;  // two lines of one text
            const x = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
            const y = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
            // one line (horizontal texts: a rotated one's box has its line spacing at its sides), < 4 px apart
            const flat = box => box.width > box.height;
            const together = a.kind === 'chart' && b.kind === 'chart' && flat(a.box) && flat(b.box) && y > 2 && x > -4;
            const touching = a.kind === 'map' && b.kind === 'map' && x > -1 && y > -1;
            if ((x > 2 && y > 2) || together || touching) {
                problems.push(`"${a.what}" and "${b.what}" ${x > 2 && y > 2 ? 'overlap' : 'touch'} (${Math.round(x)} x ${Math.round(y)} px)`);
            }
        }
    }
    return problems;
}"""
# Text of a chart outside the chart's element on the page (a chart wider than its column is cut there).
TEXT_OUTSIDE_CHART = """() => {
    const problems = [];
    for (const chart of document.querySelectorAll('[data-testid=stMain] [data-testid=stPlotlyChart]')) {
        const frame = chart.getBoundingClientRect();
        for (const text of chart.querySelectorAll('svg.main-svg text')) {
            const box = text.getBoundingClientRect();
            if (!text.textContent.trim() || !box.width) continue;
            if (box.left < frame.left - 1 || box.right > frame.right + 1) problems.push(`${text.textContent.trim()} cut at the chart's edge`);
        }
    }
    return problems;
}"""
# The Decision boundary page as shipped, and its most crowded diagram: 7 inputs, 6 hidden layers of
# 8 with the longest activation name.
BOUNDARY_VIEWS = {
    "default": "",
    "crowded": "&".join(["bd.f.x1sq=true", "bd.f.x2sq=true", "bd.f.x1x2=true", "bd.f.sin1=true", "bd.f.sin2=true",
                         "bd.layers=6", *[f"bd.n{layer}=8&bd.a{layer}=leaky_relu" for layer in range(1, 7)]]),
    "playing": "bd.data=blobs3&bd.show_test=true",  # Play is pressed: the live component trains and draws
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_boundary_page_text_never_overlaps_on_a_projector(browser, streamlit_server, lang):
    """Issue 13: at 1024 x 768 the network diagram's captions ran together ("输入数4×tanh2×tanhsigmoid")
    and its neuron maps overlapped; the check above looks at each text alone, this one at pairs."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    problems = {}
    try:
        tab = context.new_page()
        for view, query in BOUNDARY_VIEWS.items():
            tab.set_viewport_size({"width": 1280, "height": 720})
            tab.goto(f"{streamlit_server}/boundary?lang={lang}" + (f"&{query}" if query else ""))
            wait_for_app(tab, timeout=120_000)  # a loaded machine (load 15-35 on 2 cores) took over 60 s
            tab.wait_for_function("() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]"
                                  ".every(chart => chart.querySelector('.js-plotly-plot')?._fullLayout)", timeout=120_000)
            assert_no_exception(tab)
            if view == "playing":
                tab.wait_for_selector("[data-testid=boundary-map][data-frame]", timeout=120_000)
                tab.locator("[data-testid=stMain] .bd-play").click()
                tab.wait_for_function("() => +document.querySelector('[data-testid=boundary-epoch]').innerText.replace(/,/g, '') > 0",
                                      timeout=120_000)
            for size, (width, height) in PROJECTORS.items():
                tab.set_viewport_size({"width": width, "height": height})
                tab.wait_for_timeout(1500)  # the pictures stack, plotly lays its text out again
                name = f"projector-{size}-{lang}-boundary-{view}"
                for check, script in (("overlap", OVERLAPS), ("cut at the chart's edge", TEXT_OUTSIDE_CHART),
                                      ("outside the chart", TEXT_OUTSIDE), ("text clipped", CLIPPED_TEXT),
                                      ("scrolls sideways", OVERFLOW)):
                    if found := tab.evaluate(script):
                        problems[f"{name} ({check})"] = found
                screenshot(tab, name)
    finally:
        context.close()
    assert not problems, "\n" + json.dumps(problems, ensure_ascii=False, indent=1)
