"""One FastAPI router per API of the store: customers, orders, catalog, payments, shipping."""
