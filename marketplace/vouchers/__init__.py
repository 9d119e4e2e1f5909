"""Discount codes: their rules, atomic use limits, and who bears each discount (platform or producer)."""
