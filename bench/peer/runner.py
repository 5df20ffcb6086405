"""The peer: the case-review process (case_review.bpmn) run by SpiffWorkflow, the leading
Python workflow engine, each instance serialised to the same database after every step.

One step is what a web request would do with it: read the instance's JSON with its row
locked, rebuild the workflow, check its timers, complete the ready user task with the
step's data (the same data the service is given: the decision and its rationale, the
findings and the recommendations...), run the engine to the next wait, serialise and write
it back, commit. ``withdraw`` sends the model's "withdraw" message instead, which ends the
instance from whichever step it is at. SpiffWorkflow is a
bench-only dependency (``pip install -e ".[bench]"``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

MODEL = Path(__file__).with_name("case_review.bpmn")
TABLE = "peer_instances"


class Peer:
    """The parsed model and a serializer, built once per process as an application would."""

    def __init__(self) -> None:
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

        parser = BpmnParser()
        parser.add_bpmn_file(str(MODEL))
        self.spec = parser.get_spec("case_review")
        self.serializer = BpmnWorkflowSerializer()

    def create_table(self, connection: Connection) -> None:
        connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        connection.execute(
            text(
                f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, reference VARCHAR(30), state TEXT)"
            )
        )

    def start(self, connection: Connection, instance_id: int, reference: str) -> None:
        """A new instance, run to its first user task (acknowledge) and stored."""
        from SpiffWorkflow.bpmn import BpmnWorkflow

        workflow = BpmnWorkflow(self.spec)
        workflow.do_engine_steps()
        connection.execute(
            text(f"INSERT INTO {TABLE} (id, reference, state) VALUES (:id, :ref, :state)"),
            {
                "id": instance_id,
                "ref": reference,
                "state": self.serializer.serialize_json(workflow),
            },
        )

    def step(
        self, connection: Connection, instance_id: int, task: str, data: dict[str, Any]
    ) -> str:
        """Complete the ready user task named ``task``; return the task now waiting."""
        from SpiffWorkflow.util.task import TaskState

        lock = " FOR UPDATE" if connection.dialect.name == "postgresql" else ""
        state = connection.scalar(
            text(f"SELECT state FROM {TABLE} WHERE id = :id{lock}"), {"id": instance_id}
        )
        workflow = self.serializer.deserialize_json(state)
        workflow.refresh_timers()  # the limits' timers, as an engine checks them
        if task == "withdraw":  # any open step: the message ends the instance
            from SpiffWorkflow.bpmn.specs.event_definitions.message import (
                MessageEventDefinition,
            )
            from SpiffWorkflow.bpmn.util.event import BpmnEvent

            workflow.send_event(BpmnEvent(MessageEventDefinition("withdraw"), data))
        else:
            ready = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]
            current = next((t for t in ready if t.task_spec.name == task), None)
            if current is None:
                names = [t.task_spec.name for t in ready]
                raise ValueError(f"{task} is not ready in instance {instance_id} (ready: {names})")
            current.data.update(data)
            current.run()
        workflow.do_engine_steps()
        connection.execute(
            text(f"UPDATE {TABLE} SET state = :state WHERE id = :id"),
            {"id": instance_id, "state": self.serializer.serialize_json(workflow)},
        )
        if workflow.is_completed():
            return "end"
        return next(t.task_spec.name for t in workflow.get_tasks(state=TaskState.READY))
