"""The red team: a hostile model plays every agent, and ground truth (the store, approvals,
identity) judges whether any attempt got through.

May import: evaluation, backlog, the runner and everything below them.
"""
