"""Corrections, agencies and incidents from the terminal: the same service as the pages."""

import json

from tests.factories import application


def test_a_case_is_corrected_reversed_and_given_an_agency_from_the_terminal(run, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(application(agencies=[])))
    assert run("case", "open", str(path)).exit_code == 0

    refused = run("case", "correct", "CT-2025-001", "--set", "victim.name=", "--reason", "x")
    assert refused.exit_code == 1 and "victim.name: must not be empty" in refused.output
    corrected = run(
        "case",
        "correct",
        "CT-2025-001",
        "--set",
        "victim.name=Alex Morgen",
        "--set",
        "received_on=2025-11-21",
        "--reason",
        "Typed wrongly.",
    )
    assert corrected.exit_code == 0, corrected.output
    assert "Victim name: Alex Morgan → Alex Morgen." in corrected.output
    assert "Acknowledge now due Friday 28 November 2025" in corrected.output

    assert run("case", "event", "CT-2025-001", "acknowledge", "--on", "2025-11-24").exit_code == 0
    added = run("case", "agency", "CT-2025-001", "add", "Leicestershire Police", "--role", "lead")
    assert added.exit_code == 0 and "asked for its chronology" in added.output
    incident = tmp_path / "incident.json"
    incident.write_text(json.dumps({"occurred_on": "2025-11-01", "description": "Shouting."}))
    assert run("case", "incident", "CT-2025-001", str(incident)).exit_code == 0

    reversed_ = run("case", "reverse-step", "CT-2025-001", "acknowledge", "--reason", "Wrong case.")
    assert reversed_.exit_code == 0, reversed_.output
    shown = json.loads(run("case", "show", "CT-2025-001", "--json").output)
    assert shown["state"] == "received" and shown["victim"]["name"] == "Alex Morgen"
    lead = shown["agency_roles"][0]
    assert (lead["agency"], lead["role"]) == ("Leicestershire Police", "lead")
    assert [e["event"] for e in shown["history"]][-3:] == [
        "add_agency",
        "add_incident",
        "reverse_step",
    ]
