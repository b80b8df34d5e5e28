"""CrewAI tools over the store's APIs, grouped by API, plus knowledge search and escalation; the
store's HTTP client (timeouts, retries, circuit breaker, idempotency keys) and the ticket's tool context.

May import: core, memory."""
