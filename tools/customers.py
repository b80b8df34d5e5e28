"""Customers tools: identify the ticket's customer (this binds the ticket to them), read their
details, change their default address."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tools.args import ToolArgs
from tools.base import StoreTool, StoreWriteTool
from tools.records import CustomerDetails

CUSTOMER_ID = "The authenticated customer's customer_id."


class AddressArgs(ToolArgs):
    """Address fields in the order CONTRACTS §2 gives them; the address-changing tools add theirs."""

    address1: str = Field(description="Street, e.g. '123 Main Street'.")
    address2: str = Field(description="Apt or suite, e.g. 'Apt 4'; empty if none.")
    city: str = Field(description="City.")
    state: str = Field(description="Code, e.g. 'CA'.")
    country: str = Field(description="e.g. 'USA'.")
    zip: str = Field(description="e.g. '94105'.")


class FindByEmailArgs(ToolArgs):
    email: str = Field(description="Account e-mail, exactly as given.")


class FindByNameZipArgs(ToolArgs):
    first_name: str = Field(description="First name.")
    last_name: str = Field(description="Last name.")
    zip: str = Field(description="ZIP code of their address.")


class CustomerIdArgs(ToolArgs):
    customer_id: str = Field(description=CUSTOMER_ID)


class ModifyUserAddressArgs(AddressArgs):
    user_id: str = Field(description=CUSTOMER_ID)


class _FindCustomer(StoreTool):
    # A usage limit makes CrewAI run the calls of one model answer in their order instead of in
    # parallel, so a model may send "identify, then read order X" in one answer: the read runs
    # after the binding (and is refused, as any read is, if the identification failed). Five
    # look-ups are more than an honest identification needs.
    max_usage_count: int | None = 5

    def bound(self, found: dict[str, Any]) -> CustomerDetails:
        # The whole profile (as get_customer_details gives it): what the agent reads next anyway
        # (payment methods, orders), without another round of model and tool calls.
        self.context.bind(found["customer_id"])
        return CustomerDetails.from_store(self.store.customers.get(found["customer_id"]))


class FindCustomerByEmail(_FindCustomer):
    name: str = "find_customer_by_email"
    description: str = (
        "Identify the customer by account e-mail before other customer tools; binds the ticket to "
        "this one customer. Returns their profile, as get_customer_details."
    )
    args_schema: type[BaseModel] = FindByEmailArgs

    def execute(self, args: FindByEmailArgs) -> CustomerDetails:
        self.context.require_stated(args.email)
        return self.bound(self.store.customers.find_by_email(args.email))


class FindCustomerByNameZip(_FindCustomer):
    name: str = "find_customer_by_name_zip"
    description: str = (
        "Identify the customer by name and ZIP code when no account e-mail is known; binds the "
        "ticket to them. Returns their profile."
    )
    args_schema: type[BaseModel] = FindByNameZipArgs

    def execute(self, args: FindByNameZipArgs) -> CustomerDetails:
        self.context.require_stated(args.first_name, args.last_name, args.zip)
        return self.bound(self.store.customers.find_by_name_zip(args.first_name, args.last_name, args.zip))


# Tools that only establish who the customer is: offered to a ticket whose customer is not known yet.
IDENTIFY_TOOLS = frozenset({"find_customer_by_email", "find_customer_by_name_zip"})


class GetCustomerDetails(StoreTool):
    name: str = "get_customer_details"
    description: str = (
        "The customer's profile: default address, order ids, payment methods (id, source, card "
        "brand and last four, gift card balance)."
    )
    args_schema: type[BaseModel] = CustomerIdArgs

    def execute(self, args: CustomerIdArgs) -> CustomerDetails:
        self.context.require_owner(args.customer_id, f"Customer {args.customer_id}")
        return CustomerDetails.from_store(self.store.customers.get(args.customer_id))


class ModifyUserAddress(StoreWriteTool):
    name: str = "modify_user_address"
    description: str = (
        "Change the customer's default account address, only when they ask for that; an order's "
        "shipping address is modify_pending_order_address."
    )
    args_schema: type[BaseModel] = ModifyUserAddressArgs
    operation = "modify_user_address"

    def authorize(self, arguments: dict[str, Any]) -> None:
        self.context.require_owner(arguments["user_id"], f"Customer {arguments['user_id']}")
        return None
