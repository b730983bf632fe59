"""Prefect flows: thin orchestration of the domain packages (SPEC §1).

Importing ``notifications.outbox`` here subscribes the outbox to every unit of work a flow opens,
so the domain events its use cases publish become outbox rows in the same transaction.
"""

import notifications.outbox  # noqa: F401
