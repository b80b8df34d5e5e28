"""Tickets on a fleet of Celery workers (Redis broker), results in the shared journal:
`support-crew worker`, `batch --queue`, and `serve` with SUPPORT_CREW_BROKER_URL."""
