"""Store tools by name, as config/agents.yaml grants them, and building them for one ticket."""

from __future__ import annotations

import core.environment  # noqa: F401  (offline switches, before crewai)

from crewai.tools import BaseTool

from tools.base import StoreTool
from tools.catalog import FindProductVariant, GetProductDetails, ListProductTypes, SearchProducts
from tools.client import StoreClient
from tools.context import ToolContext
from tools.customers import FindCustomerByEmail, FindCustomerByNameZip, GetCustomerDetails, ModifyUserAddress
from tools.orders import (
    CancelPendingOrder,
    ExchangeDeliveredOrderItems,
    GetOrderDetails,
    ListCustomerOrders,
    ModifyPendingOrderAddress,
    ModifyPendingOrderItems,
    ModifyPendingOrderPayment,
    ReturnDeliveredOrderItems,
)
from tools.payments import GetInvoice, GetOrderPayments, GetPaymentMethods
from tools.shipping import GetReturnLabel, TrackShipment

_CLASSES: list[type[StoreTool]] = [
    FindCustomerByEmail,
    FindCustomerByNameZip,
    GetCustomerDetails,
    ModifyUserAddress,
    ListCustomerOrders,
    GetOrderDetails,
    CancelPendingOrder,
    ModifyPendingOrderAddress,
    ModifyPendingOrderPayment,
    ModifyPendingOrderItems,
    ReturnDeliveredOrderItems,
    ExchangeDeliveredOrderItems,
    ListProductTypes,
    SearchProducts,
    GetProductDetails,
    FindProductVariant,
    GetPaymentMethods,
    GetOrderPayments,
    GetInvoice,
    TrackShipment,
    GetReturnLabel,
]


class UnknownTool(ValueError):
    """A tool name (e.g. in config/agents.yaml) that no registered tool has."""


STORE_TOOL_CLASSES: dict[str, type[StoreTool]] = {cls.model_fields["name"].default: cls for cls in _CLASSES}


def build_store_tools(names: list[str], *, context: ToolContext, store: StoreClient) -> list[BaseTool]:
    """One instance of each named tool, bound to this ticket's context and the store client."""
    unknown = [n for n in names if n not in STORE_TOOL_CLASSES]
    if unknown:
        raise UnknownTool(
            f"Unknown store tool(s) {', '.join(map(repr, unknown))}; the store tools are: "
            f"{', '.join(STORE_TOOL_CLASSES)}. Fix the tool name in config/agents.yaml."
        )
    return [STORE_TOOL_CLASSES[name](context=context, store=store) for name in names]
