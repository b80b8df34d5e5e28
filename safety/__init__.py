"""What must hold whatever a model says: the policy (config/policy.yaml), PII redaction,
injection detection, escalation rules, the per-ticket guard (tool grants, budgets), the approval
queue and gate, and the `approvals` commands.

May import: core, memory, tools.
"""
