"""Catalog tools: product types, a product's variants, the variants matching option values.
They read no customer data, so they need no authenticated customer."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from tools.args import ToolArgs
from tools.base import StoreTool
from tools.records import Variant

PRODUCT_ID = "product_id from list_product_types or an order item, e.g. '9523456873'."


class NoArgs(ToolArgs):
    pass


class ProductIdArgs(ToolArgs):
    product_id: str = Field(description=PRODUCT_ID)


class SearchArgs(ToolArgs):
    query: str = Field(min_length=2, max_length=2000, description="The customer's words naming the product(s).")


class FindVariantArgs(ToolArgs):
    product_id: str = Field(description=PRODUCT_ID)
    options: dict[str, str] = Field(
        description='Only the option values the customer named, e.g. {"color": "blue"}; any case.'
    )


# Tool results go back to the model with every later call of the agent: compact shapes, no key
# said twice (the store's variants are keyed by the item_id each variant also carries).
class ProductTypes(BaseModel):
    products: dict[str, str] = Field(description="product name -> product_id")


class ProductDetails(BaseModel):
    name: str
    product_id: str
    variants: list[Variant]

    @classmethod
    def from_store(cls, product: dict[str, Any]) -> ProductDetails:
        return cls(
            name=product["name"],
            product_id=product["product_id"],
            variants=list((product.get("variants") or {}).values()),
        )


class SearchResults(BaseModel):
    products: list[ProductDetails]


class VariantMatches(BaseModel):
    variants: list[Variant]


class ListProductTypes(StoreTool):
    name: str = "list_product_types"
    description: str = "Every product type the store sells, with its product_id."
    args_schema: type[BaseModel] = NoArgs

    def execute(self, args: NoArgs) -> ProductTypes:
        return ProductTypes(products={p["name"]: p["product_id"] for p in self.store.catalog.product_types()})


class GetProductDetails(StoreTool):
    name: str = "get_product_details"
    description: str = "A product's variants, each with item_id, options, availability and price."
    args_schema: type[BaseModel] = ProductIdArgs

    def execute(self, args: ProductIdArgs) -> ProductDetails:
        return ProductDetails.from_store(self.store.catalog.product(args.product_id))


_MAX_FOUND = 3
_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    """'bottles' -> 'bottle', 'watches' -> 'watch': plural and singular name the same product."""
    for suffix in ("ches", "shes", "sses", "xes"):
        if word.endswith(suffix):
            return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower().replace("-", ""))]


def named_products(query: str, catalog: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Catalog entries the query names: every word of the product's name in the query, or at least
    its last word ('speaker' for 'Bluetooth Speaker'); whole names first, longer names first."""
    said = set(_words(query))
    ranked = []
    for entry in catalog:
        name = _words(entry["name"])
        if not name or name[-1] not in said:
            continue
        ranked.append((-sum(w in said for w in name) / len(name), -len(name), entry["name"], entry))
    ranked.sort(key=lambda r: r[:3])
    whole = [r for r in ranked if r[0] == -1.0]
    return [r[3] for r in (whole or ranked)][:_MAX_FOUND]


class SearchProducts(StoreTool):
    name: str = "search_products"
    description: str = (
        "The catalog's products the customer names (e.g. 'the blue speaker'), each with its "
        "variants: item_id, options, availability and price."
    )
    args_schema: type[BaseModel] = SearchArgs

    def execute(self, args: SearchArgs) -> SearchResults:
        found = named_products(args.query, self.store.catalog.product_types())
        return SearchResults(
            products=[ProductDetails.from_store(self.store.catalog.product(p["product_id"])) for p in found]
        )


class FindProductVariant(StoreTool):
    name: str = "find_product_variant"
    description: str = (
        "A product's variants having all the given option values, with item_id, availability and "
        "price: turns 'the same kettle in black' into an item_id."
    )
    args_schema: type[BaseModel] = FindVariantArgs

    def execute(self, args: FindVariantArgs) -> VariantMatches:
        found = self.store.catalog.find_variants(args.product_id, args.options)
        return VariantMatches(variants=found["variants"])
