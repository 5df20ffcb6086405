"""The words people read, as issue 18 found them: no internal names, no "(s)", no odd grammar."""

from datetime import date

import pytest

from notifications.senders import FileSender
from tests.factories import MANAGER, SAMPLE_NOW, case_in_state, new_case, one_incident
from tests.web.test_access import sign_in
from triggers.db import write_transaction
from web.staff import state_in_a_sentence
from workflows.describe import recipient_label
from workflows.errors import ThresholdFloorMet
from workflows.machine import STATES
from workflows.service import apply, threshold_suggestion
from workflows.sweep import sweep


def test_the_case_is_now_at_appeal_and_every_state_reads_in_a_sentence():
    assert state_in_a_sentence("appeal") == "at appeal"
    assert state_in_a_sentence("threshold_met") == "threshold met"
    assert all("_" not in state_in_a_sentence(state) for state in STATES)


def test_the_letters_list_names_the_applicants_email_copy():
    assert recipient_label("applicant_email", {}) == "the applicant (by e-mail)"


def test_the_floor_error_says_not_met_in_words(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "acknowledged")
        with pytest.raises(ThresholdFloorMet) as refused:
            apply(
                session,
                case,
                "decide_threshold",
                {"decision": "not_met", "rationale": "A civil dispute."},
                MANAGER,
                SAMPLE_NOW,
                policy,
            )
    assert "not_met" not in refused.value.fields["decision"]
    assert "cannot be 'not met'" in refused.value.fields["decision"]


def test_one_incident_is_an_incident_not_incident_s(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, incidents=one_incident(date(2025, 11, 20)))
        explanations = [rule.explanation for rule in threshold_suggestion(case, policy).rules]
    assert explanations[0].startswith("1 separate incident with")
    assert not any("(s)" in text for text in explanations)


def test_the_timeline_says_logged_and_sent_not_new_or_file_sender(
    client, world, sessions, policy, tmp_path
):
    sweep(sessions, policy, FileSender(tmp_path, "casereview@example.org"), SAMPLE_NOW)
    sign_in(client, "manager@example.org")
    page = client.get(f"/cases/{world['case']}").get_data(as_text=True)
    timeline = page[page.index('<h2 class="govuk-heading-m">Timeline') :]
    assert "Application logged</strong>: received" in timeline
    assert "new to" not in timeline
    assert "Message sent</strong>" in timeline
    assert "by file sender" not in timeline
