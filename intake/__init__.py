"""A ticket's way in: turning what a person or a file gives into a Ticket, reading JSONL of
tickets and results, what earlier runs of a ticket established, and the screening before any model
sees it (redaction, injection and escalation triggers, authentication).

May import: core, memory, tools, sandbox_store, safety.
"""
