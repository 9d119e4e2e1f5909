"""Stock per location (a producer's warehouse now, showrooms later) and every movement of it.

Only stock.services writes StockLevel.quantity: each change is a conditional UPDATE with a row-count
check plus a StockMovement row.
"""
