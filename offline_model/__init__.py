"""The `offline` model: a deterministic CrewAI BaseLLM that runs on this machine.

Parts (each readable and testable alone):
- `protocol`: reading CrewAI's messages, writing tool calls and final answers;
- `understanding`: intents, extractors, matching what the customer wrote against tool results;
- `playbooks`: the next step per intent, for the manager and for a specialist;
- `replies`: the customer's reply.

`OfflineLLM` (offline_model.llm) is the model; `TicketResolution` (offline_model.schema) is the
ticket task's output model.

May import: core, memory (the embedding model); it never reads the store or the data files.
`devtools` (a simulated crew and store for tests) may also import tools."""


def warm_up() -> None:
    """Load what the first ticket would otherwise wait for: the embedding model and the embeddings
    of the intent examples. Call once per process before the first ticket (optional)."""
    from offline_model.understanding import intents

    intents.similarities("warm up")
