"""A buyer's saved products (wishlist) and followed shops."""
