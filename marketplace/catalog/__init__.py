"""The catalogue: what a product is, its OCOP certificates, images, the category tree and search.

Owns the listing rule (catalog.listing): what the public may see. It does not own quantities (stock)
or prices paid (orders, ledger).
"""
