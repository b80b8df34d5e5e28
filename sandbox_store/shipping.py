"""Shipment tracking and return labels, derived deterministically.

The data has tracking ids but no carrier events, so they are derived from a hash of the tracking id
(carrier, dates, hubs) and the order's status (how far the parcel got): the same tracking id and
status always give the same answer, and the answer never contradicts the order.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

CARRIERS = ("UPS", "FedEx", "USPS", "DHL")
WAREHOUSES = ("Columbus, OH", "Reno, NV", "Allentown, PA", "Dallas, TX", "Jacksonville, FL")
HUBS = ("Louisville, KY", "Memphis, TN", "Indianapolis, IN", "Chicago, IL", "Atlanta, GA")
_EPOCH = datetime(2024, 1, 2, 8, 0, tzinfo=UTC)

# How far a parcel has got, by the order's status.
_STAGES_BY_STATUS = {
    "processed": ("label created", "picked up", "in transit"),
    "delivered": ("label created", "picked up", "in transit", "out for delivery", "delivered"),
    "cancelled": ("label created", "shipment cancelled"),
}
# After delivery, a requested return or exchange does not change the outbound parcel's history.
_STAGES_BY_STATUS["return requested"] = _STAGES_BY_STATUS["delivered"]
_STAGES_BY_STATUS["exchange requested"] = _STAGES_BY_STATUS["delivered"]


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def carrier_for(tracking_id: str) -> str:
    return CARRIERS[_seed(tracking_id) % len(CARRIERS)]


def track(*, tracking_id: str, order: dict[str, Any]) -> dict[str, Any]:
    """`{tracking_id, order_id, user_id, carrier, status, events[{at, status, location}]}`."""
    seed = _seed(tracking_id)
    stages = _STAGES_BY_STATUS.get(order["status"], ("label created",))
    origin = WAREHOUSES[seed % len(WAREHOUSES)]
    hub = HUBS[(seed >> 8) % len(HUBS)]
    destination = f"{order['address']['city']}, {order['address']['state']}"
    location = {
        "label created": origin,
        "picked up": origin,
        "in transit": hub,
        "out for delivery": destination,
        "delivered": destination,
        "shipment cancelled": origin,
    }
    at = _EPOCH + timedelta(days=(seed >> 16) % 150, minutes=(seed >> 24) % 600)
    events = []
    for stage in stages:
        events.append({"at": at.isoformat(), "status": stage, "location": location[stage]})
        at += timedelta(hours=6 + _seed(f"{tracking_id}|{stage}") % 30)
    return {
        "tracking_id": tracking_id,
        "order_id": order["order_id"],
        "user_id": order["user_id"],
        "carrier": carrier_for(tracking_id),
        "status": stages[-1],
        "events": events,
    }


def return_label(*, order: dict[str, Any], item_ids: list[str]) -> dict[str, Any]:
    """The label and RMA number for items sent back from `order` (same input, same RMA)."""
    digest = hashlib.sha256(f"{order['order_id']}|{','.join(sorted(item_ids))}".encode()).hexdigest()
    rma = f"RMA-{digest[:10].upper()}"
    tracking_ids = [t for f in order["fulfillments"] for t in f["tracking_id"]]
    carrier = carrier_for(tracking_ids[0]) if tracking_ids else CARRIERS[int(digest[:8], 16) % len(CARRIERS)]
    return {
        "order_id": order["order_id"],
        "rma": rma,
        "carrier": carrier,
        "label_url": f"https://returns.example.com/labels/{rma}.pdf",
        "items": sorted(item_ids),
    }
