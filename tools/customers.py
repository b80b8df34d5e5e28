"""Customers tools: identify the ticket's customer (this binds the ticket to them), read their
details, change their default address."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tools.base import StoreTool, StoreWriteTool
from tools.records import CustomerDetails, CustomerRef

CUSTOMER_ID = "The customer's id (customer_id from find_customer_by_email or find_customer_by_name_zip)."


class _Address(BaseModel):
    """Address fields in the order CONTRACTS §2 gives them."""

    address1: str = Field(description="Street line, e.g. '123 Main Street'.")
    address2: str = Field(description="Second line, e.g. 'Apt 4' or 'Suite 100'; empty string if none.")
    city: str = Field(description="City name.")
    state: str = Field(description="State code, e.g. 'CA'.")
    country: str = Field(description="Country, e.g. 'USA'.")
    zip: str = Field(description="ZIP code as text, e.g. '94105'.")


class FindByEmailArgs(BaseModel):
    email: str = Field(description="The customer's e-mail address, exactly as they gave it.")


class FindByNameZipArgs(BaseModel):
    first_name: str = Field(description="The customer's first name.")
    last_name: str = Field(description="The customer's last name.")
    zip: str = Field(description="The ZIP code of the customer's address.")


class CustomerIdArgs(BaseModel):
    customer_id: str = Field(description=CUSTOMER_ID)


class ModifyUserAddressArgs(BaseModel):
    user_id: str = Field(description=CUSTOMER_ID)
    address1: str = _Address.model_fields["address1"]
    address2: str = _Address.model_fields["address2"]
    city: str = _Address.model_fields["city"]
    state: str = _Address.model_fields["state"]
    country: str = _Address.model_fields["country"]
    zip: str = _Address.model_fields["zip"]


class _FindCustomer(StoreTool):
    def bound(self, found: dict[str, Any]) -> CustomerRef:
        self.context.bind(found["customer_id"])
        return CustomerRef.model_validate(found)


class FindCustomerByEmail(_FindCustomer):
    name: str = "find_customer_by_email"
    description: str = (
        "Identify the customer by the e-mail address of their account. Do this (or "
        "find_customer_by_name_zip) before any other customer tool: it authenticates the ticket as "
        "this customer, and a ticket can speak for one customer only. Returns customer_id, name, email."
    )
    args_schema: type[BaseModel] = FindByEmailArgs

    def execute(self, args: FindByEmailArgs) -> CustomerRef:
        return self.bound(self.store.customers.find_by_email(args.email))


class FindCustomerByNameZip(_FindCustomer):
    name: str = "find_customer_by_name_zip"
    description: str = (
        "Identify the customer by full name and ZIP code when no account e-mail is known. "
        "Authenticates the ticket as this customer (one customer per ticket). Returns customer_id, "
        "name, email."
    )
    args_schema: type[BaseModel] = FindByNameZipArgs

    def execute(self, args: FindByNameZipArgs) -> CustomerRef:
        return self.bound(self.store.customers.find_by_name_zip(args.first_name, args.last_name, args.zip))


class GetCustomerDetails(StoreTool):
    name: str = "get_customer_details"
    description: str = (
        "The authenticated customer's profile: name, email, default address, payment methods (id, "
        "source, brand, last_four, gift card balance) and order ids. Use the payment method ids "
        "from here in store-changing tools."
    )
    args_schema: type[BaseModel] = CustomerIdArgs

    def execute(self, args: CustomerIdArgs) -> CustomerDetails:
        self.context.require_owner(args.customer_id, f"Customer {args.customer_id}")
        return CustomerDetails.from_store(self.store.customers.get(args.customer_id))


class ModifyUserAddress(StoreWriteTool):
    name: str = "modify_user_address"
    description: str = (
        "Change the authenticated customer's default (account) address. Only when the customer "
        "asks for their account/default address to change; for one order's shipping address use "
        "modify_pending_order_address. Give every field; address2 may be an empty string."
    )
    args_schema: type[BaseModel] = ModifyUserAddressArgs
    operation = "modify_user_address"

    def authorize(self, arguments: dict[str, Any]) -> None:
        self.context.require_owner(arguments["user_id"], f"Customer {arguments['user_id']}")
        return None

