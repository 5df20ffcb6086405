"""WTForms' own widgets write their attributes with ``web.html_params`` once the app is
made: the same HTML as WTForms' own ``html_params``, attribute for attribute."""

import pytest
from markupsafe import Markup
from wtforms import (
    Form,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.widgets import core

from web.html_params import html_params, install, wtforms_html_params
from web.language import StaffLazyString

ATTRIBUTES = [
    {},
    {"name": "version", "id": "record_review-version", "type": "hidden", "value": "3"},
    {"class_": "govuk-input", "for_": "x", "value": 7},
    {"checked": True, "readonly": False, "name": "text1", "abc": "hello"},
    {"data_module": "govuk-button", "aria_described_by": "hint", "data_x_y": "z"},
    {"value": 'She said "leave" & <went>'},
    {"value": Markup('already <b>safe</b> with "quotes"')},
    {"value": StaffLazyString(lambda: "Lazy & <word>")},
    {"value": None, "name": "n"},
    {"title": "Ysgrifennwch eich cyfeiriad – ŵ ŷ"},
]


@pytest.mark.parametrize("attributes", ATTRIBUTES)
def test_the_attributes_are_written_as_wtforms_writes_them(attributes):
    ours, theirs = html_params(**attributes), wtforms_html_params(**attributes)
    assert ours == theirs
    assert type(ours) is type(theirs) is Markup


class EveryKind(Form):
    token = HiddenField(default='a"b<c>')
    name = StringField("Name & address", default="O'Neil <x>")
    kind = SelectField(choices=[SelectChoice("a", "A & B"), SelectChoice("b", "<b>")], default="b")
    submit = SubmitField("Send")


def test_every_wtforms_widget_renders_the_same_with_either(app):
    install()
    assert core.html_params is widgets.html_params is html_params
    assert core.Input.html_params is html_params
    form = EveryKind()
    ours = [str(field()) + str(field.label()) for field in form]
    core.html_params = widgets.html_params = wtforms_html_params
    for value in vars(core).values():
        if isinstance(value, type) and "html_params" in vars(value):
            value.html_params = staticmethod(wtforms_html_params)
    try:
        theirs = [str(field()) + str(field.label()) for field in form]
    finally:
        install()
    assert ours == theirs
    assert 'value="a&#34;b&lt;c&gt;"' in ours[0]
