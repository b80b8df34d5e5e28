"""CrewAI tools over the store's APIs, grouped by API, plus knowledge search and escalation."""
