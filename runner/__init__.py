"""The run of one ticket: the environment tickets share (store, config, memory, knowledge), intake ->
recall -> crew -> checks -> result, the outcome and reply decided from what really happened, the
reply's claims checked against the actions, the model choice, traces, and the one-ticket commands
(`validate`, `store`).

May import: every package below it (core, memory, tools, sandbox_store, offline_model, safety,
crews, intake).
"""
