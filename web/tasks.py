"""My tasks: the page each signed-in person lands on, listing what waits for them (issue 20).

What counts as a task, and for whom, is ``workflows.tasks``; this page shows it soonest
first, each item linking to the form on the case page that does it (the same links the
reminder e-mails carry), and lets a manager narrow the steps due to one single point of
contact.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectChoice, SelectField, SubmitField

from notifications.links import case_path
from triggers.db import read_session
from web.auth import current_actor
from web.forms import ConfirmForm
from web.services import services
from workflows import permissions
from workflows.tasks import Task, contacts, tasks_for

blueprint = Blueprint("tasks", __name__)

#: The words for each kind of task, as the page's tags say them.
KINDS = {
    "step": "Step due",
    "chronology": "Chronology",
    "recommendation": "Recommendation",
    "panel": "Panel",
    "failed_message": "Not sent",
    "held_letter": "Letter to approve",
}


class ContactForm(FlaskForm):
    """The manager's filter: a GET form, so no CSRF token and a shareable URL."""

    class Meta:
        csrf = False

    contact = SelectField("Single point of contact", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Show", widget=GovSubmitInput())


def task_link(task: Task) -> str:
    """The form that does ``task``: the case page with that form open and in view, the same
    path as the reminder e-mails' links (notifications.links); a held letter, its page."""
    if task.kind == "held_letter":
        return url_for(
            "messages.message_page", reference=task.reference, message_id=task.message_id
        )
    return request.script_root + case_path(task.reference, task.opens)


@blueprint.get("/tasks")
@login_required
def my_tasks() -> str:
    app = services()
    today = app.policy.today(app.now())
    actor = current_actor()
    form = None
    contact = ""
    with read_session(app.sessions) as session:
        if permissions.may(actor, permissions.TASKS_BY_CONTACT):
            named = contacts(session, current_user.partnership_id)
            form = ContactForm(request.args)
            form.contact.choices = [SelectChoice("", "All cases")] + [
                SelectChoice(name, name) for name in named
            ]
            contact = form.contact.data if form.contact.data in named else ""
        tasks = tasks_for(session, actor, current_user.partnership_id, today, contact)
    rows = [
        {
            "task": task,
            "link": task_link(task),
            "kind": KINDS[task.kind],
            "left": (
                app.policy.calendar.working_days_between(today, task.due_on)
                if task.due_on
                else None
            ),
        }
        for task in tasks
    ]
    return render_template(
        "tasks.html",
        rows=rows,
        form=form,
        contact=contact,
        today=today,
        confirm=ConfirmForm(),
    )
