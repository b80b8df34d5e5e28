"""Support Crew runtime: ticket and result models, intake, the run loop, memory, approvals, traces."""
