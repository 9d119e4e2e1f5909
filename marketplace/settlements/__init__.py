"""Money owed to producers: statements per producer and period, computed from the sales ledger.

A statement links every ledger entry it settles (StatementEntry, unique per entry), so no sale or refund
is ever settled twice; entries written after a period was settled (late refunds, late showroom uploads)
are picked up by the producer's next statement. The mechanism reads channel-agnostic ledger entries, so
showroom sales settle the same way. Settlements never write the ledger.
"""
