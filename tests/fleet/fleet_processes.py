"""The settings one test's fleet shares (backlog.fleet.processes starts its processes): only what
the test gives, nothing from the environment the suite runs in."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass
class Fleet:
    """The settings every process of one test's fleet shares."""

    broker_url: str
    database_url: str
    api_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORT_CREW_")}
        return {
            **base,
            "SUPPORT_CREW_BROKER_URL": self.broker_url,
            "SUPPORT_CREW_DATABASE_URL": self.database_url,
            "SUPPORT_CREW_API_URL": self.api_url,
            # a killed worker's ticket comes back within seconds, not minutes
            "SUPPORT_CREW_BROKER_VISIBILITY_TIMEOUT_S": "4",
            "SUPPORT_CREW_WORKER_LEASE_S": "3",
            **self.extra,
        }
