"""Every word a staff page shows is marked for the staff catalog (issue 21): staff pages stay
English for now, but a Welsh-speaking staff locale must be a catalog away, not a hunt through
the templates. The test reads each staff template as Jinja does and fails on prose that is
not marked: text between tags, the attributes a person hears or sees (aria-label, title,
alt, placeholder), and the words handed to the GOV.UK macros or set as a page's title."""

import re
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from web.language import _s

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "web" / "templates"
#: The public pages (their own catalog, with Welsh: tests/web/test_catalog.py).
PUBLIC = ("apply/", "published/")
#: What is not words in a language: marks, numbers, names of things that are not translated.
NOT_WORDS = {"Cymraeg", "English", "GOV.UK", "casereview", "PDF", "CSV", "JSON", "SAR", "ASB"}
#: The macro parameters whose value a person reads or hears.
SHOWN_KEYS = {
    "text",
    "html",
    "titleText",
    "landmarkLabel",
    "serviceName",
    "ariaLabel",
    "caption",
    "label",
    "hint",
    "legend",
    "heading",
}
#: The template variables whose value is shown (a page's <title>).
SHOWN_NAMES = {"title"}
#: The functions that mark words: the staff catalog's, and the public one's in base.html.
MARKERS = {"_s", "_ns", "_"}
WORD = re.compile(r"[A-Za-z]{2,}")
SHOWN_ATTRIBUTE = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"{]*)"')


def staff_templates() -> list[Path]:
    return sorted(
        path
        for path in TEMPLATES.rglob("*.html")
        if not str(path.relative_to(TEMPLATES)).startswith(PUBLIC)
    )


def has_words(text: str) -> bool:
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    return any(word not in NOT_WORDS for word in WORD.findall(text))


def unmarked_text(source: str) -> list[str]:
    """Prose between Jinja tags (the lexer's data) outside HTML tags, and in the attributes
    a person hears or sees; whether a piece of data starts inside a tag carries over from
    the data before it (``<a href="{{ url }}">Words</a>``)."""
    environment = Environment(extensions=["jinja2.ext.i18n"])
    found, inside, code = [], False, False
    for _line, kind, value in environment.lex(source):
        if kind != "data":
            continue
        for piece in re.split(r"(<|>)", value):
            if piece == "<":
                inside = True
            elif piece == ">":
                inside = False
            elif inside:
                # Code, a style sheet or a script is not words (a PDF's CSS page footer aside).
                code = bool(re.match(r"(code|style|script)\b", piece)) or (
                    code and not re.match(r"/(code|style|script)\b", piece)
                )
                found += [text for text in SHOWN_ATTRIBUTE.findall(piece) if has_words(text)]
            elif has_words(piece) and not code:
                found.append(piece.strip())
    return found


def _marked(node: nodes.Node, parents: list[nodes.Node]) -> bool:
    return any(
        isinstance(parent, nodes.Call)
        and isinstance(parent.node, nodes.Name)
        and parent.node.name in MARKERS
        for parent in parents
    )


def unmarked_constants(source: str) -> list[str]:
    """Words in the template's code that a person reads: a shown macro parameter's string
    (``{"text": "Overdue"}``) or a page's title (``{% set title = "Dashboard" %}``)."""
    environment = Environment(extensions=["jinja2.ext.i18n"])
    found: list[str] = []

    def walk(node: nodes.Node, parents: list[nodes.Node]) -> None:
        shown: list[nodes.Node] = []
        if (
            isinstance(node, nodes.Pair)
            and isinstance(node.key, nodes.Const)
            and node.key.value in SHOWN_KEYS
            and not isinstance(node.value, nodes.Dict)
        ):
            shown.append(node.value)
        if (
            isinstance(node, nodes.Assign)
            and isinstance(node.target, nodes.Name)
            and node.target.name in SHOWN_NAMES
        ):
            shown.append(node.node)
        for value in shown:
            for constant in _words_in(value):
                if not _marked(constant, [*parents, node, *_path(value, constant)]):
                    found.append(constant.value)
        for child in node.iter_child_nodes():
            walk(child, [*parents, node])

    walk(environment.parse(source), [])
    return sorted(set(found))


def _words_in(value: nodes.Node) -> list[nodes.Const]:
    """The strings of an expression that are words, not the arguments of a call or filter
    (``url_for("staff.case_page")``) nor markup (``'<a class="govuk-link" href="'``)."""
    if isinstance(value, nodes.Const):
        text = value.value if isinstance(value.value, str) else ""
        prose = re.sub(r"<[^>]*(>|$)|^[^<]*>", " ", text) if "<" in text else text
        return [value] if has_words(prose) else []
    if isinstance(value, nodes.Call | nodes.Filter | nodes.Test | nodes.Compare):
        if (
            isinstance(value, nodes.Call)
            and isinstance(value.node, nodes.Name)
            and value.node.name in MARKERS
        ):
            return []
        found = []
        if isinstance(value, nodes.Filter | nodes.Test) and value.node is not None:
            found += _words_in(value.node)
        return found
    return [found for child in value.iter_child_nodes() for found in _words_in(child)]


def _path(top: nodes.Node, target: nodes.Node) -> list[nodes.Node]:
    """The nodes from ``top`` down to ``target``'s parent."""
    if top is target:
        return []
    for child in top.iter_child_nodes():
        if child is target:
            return [top]
        below = _path(child, target)
        if below or child is target:
            return [top, *below]
    return []


@pytest.mark.parametrize(
    "template", staff_templates(), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_a_staff_template_marks_its_words(template):
    source = template.read_text(encoding="utf-8")
    unmarked = unmarked_text(source) + unmarked_constants(source)
    assert not unmarked, f"mark these with _s(...) for the staff catalog: {unmarked}"


def test_the_check_finds_what_is_not_marked():
    # A guard on the guard: each kind of unmarked words is found, and marked words are not.
    assert unmarked_text("<p>Case reviews</p>") == ["Case reviews"]
    assert unmarked_text('<p aria-label="Open cases">{{ x }}</p>') == ["Open cases"]
    assert unmarked_text('<p class="govuk-body">{{ _s("Case reviews") }}</p>') == []
    assert unmarked_text("<td>{{ a }}, {{ b }}</td>") == []
    assert unmarked_text("<style>body { font-family: arial; }</style><p>Words</p>") == ["Words"]
    assert unmarked_constants('{{ govukTag({"text": "Overdue", "classes": "x"}) }}') == ["Overdue"]
    assert unmarked_constants('{{ govukTag({"text": _s("Overdue"), "classes": "x"}) }}') == []
    assert unmarked_constants('{% set title = "Dashboard" %}') == ["Dashboard"]
    assert unmarked_constants('{% set title = _s("Dashboard") %}') == []


def test_there_are_staff_templates_to_check():
    names = {str(path.relative_to(TEMPLATES)) for path in staff_templates()}
    assert {"dashboard.html", "case.html", "base.html"} <= names
    assert not any(name.startswith(PUBLIC) for name in names)


def test_a_staff_catalog_is_all_a_staff_locale_needs(config, engine, partnership, tmp_path):
    """The staff pages read their words through the staff domain's catalogs (shipped, then
    the partnership's): a compiled staff.mo for the staff pages' language changes the page,
    the process's labels included, with no change to a template."""
    import dataclasses

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from tests.factories import SAMPLE_NOW
    from tests.web.test_access import sign_in
    from triggers.accounts import create_user
    from triggers.db import write_transaction
    from web.app import create_app

    catalog = Catalog(locale="en", domain="staff")
    catalog.add("Case reviews", "Community Trigger cases")
    catalog.add("Threshold met", "Threshold met (review due)")
    catalog.add(("%(num)s case", "%(num)s cases"), ("%(num)s case in all", "%(num)s cases in all"))
    folder = tmp_path / "translations" / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "staff.mo").open("wb") as handle:
        write_mo(handle, catalog)
    language = dataclasses.replace(config.language, catalog_folder=str(tmp_path / "translations"))
    app = create_app(dataclasses.replace(config, language=language), engine=engine)
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW
    with write_transaction(app.extensions["casereview"].sessions) as session:
        create_user(
            session,
            session.merge(partnership),
            "manager@example.org",
            "correct horse battery staple",
            "manager",
            SAMPLE_NOW,
        )
    client = app.test_client()
    sign_in(client, "manager@example.org")
    page = client.get("/").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Community Trigger cases</h1>' in page
    assert "Threshold met (review due)" in page and "0 cases in all" in page
    with app.test_request_context("/"):
        assert _s("Case reviews") == "Community Trigger cases"
        assert _s("%(count)s cases", count=3) == "3 cases"  # not in the catalog: as marked


def test_the_template_functions_fill_in_and_escape_the_values(app):
    # A plural with a value of its own, as tasks.html's caption has; the values escaped, the
    # words not (they may hold markup, as "Decided <strong>...</strong>" does).
    with app.test_request_context("/"):
        render = app.jinja_env.from_string
        assert (
            render(
                '{{ _ns("%(num)s task on %(who)s", "%(num)s tasks on %(who)s", 2, who=w) }}'
            ).render(w="<Jo>")
            == "2 tasks on &lt;Jo&gt;"
        )
        assert render('{{ _s("<strong>%(n)s</strong> 100%%", n=n) }}').render(n="&") == (
            "<strong>&amp;</strong> 100%"
        )
